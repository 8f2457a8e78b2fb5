/** Markdown rendering of the JSON results of micro, memory and http. */
import { bytes, int, micros, percent, ratio, table } from './stats.mjs';

export function renderMachine(machine) {
  const pin = machine.pinned ? 'pinned with taskset' : 'NOT pinned (no taskset or < 2 cores)';
  return (
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}; ` +
    `Node ${machine.node} (V8 ${machine.v8}); ${pin}; load average ${machine.loadavg.join(' / ')}; ` +
    `commit ${machine.commit ?? '?'}${machine.uncommittedPackageFiles ? ` + ${machine.uncommittedPackageFiles} uncommitted file(s) under packages/` : ''}; ${machine.date}`
  );
}

function twRowOf(rows) {
  return rows.find((r) => r.kind === 'tokenward');
}

export function renderMicro(result) {
  const s = result.settings;
  const out = [
    '### Per verification (micro)',
    '',
    `One verification at a time, pinned to core ${s.pinnedCore}; median of ${s.rounds} rounds × ${s.ms} ms. ` +
      `Hot: the same token again. Cold: ${int(s.pool)} distinct tokens cycled. ` +
      '"× floor": time per verification ÷ bare node:crypto signature check. ' +
      '"tokenward ÷ this": tokenward verify() ops/s ÷ this row\'s ops/s (above 1: tokenward is faster). ' +
      "Async libraries (tokenward, jose) are awaited one at a time; WebCrypto runs each verification as a job on libuv's thread pool.",
  ];
  if (result.noise) {
    out.push(
      '',
      `Noise: other processes used ${Object.entries(result.noise)
        .map(([alg, cores]) => `${percent(cores)} (${alg})`)
        .join(', ')} of a core during the runs.`,
    );
  }
  const algs = [...new Set(result.results.map((r) => r.alg))];
  for (const alg of algs) {
    const rows = result.results.filter((r) => r.alg === alg);
    const floor = rows.find((r) => r.kind === 'floor');
    const tw = twRowOf(rows);
    out.push('', `**${alg}**`, '');
    out.push(
      table(
        [
          'library',
          'hot ops/s',
          'hot µs',
          'cold ops/s',
          'cold µs',
          'hot × floor',
          'cold × floor',
          'tokenward ÷ this (hot)',
          'tokenward ÷ this (cold)',
        ],
        rows.map((r) => [
          r.library,
          int(r.hotOps),
          micros(1e6 / r.hotOps),
          int(r.coldOps),
          micros(1e6 / r.coldOps),
          ratio(floor.hotOps / r.hotOps),
          ratio(floor.coldOps / r.coldOps),
          r === tw ? '—' : ratio(tw.hotOps / r.hotOps),
          r === tw ? '—' : ratio(tw.coldOps / r.coldOps),
        ]),
      ),
    );
  }
  if (result.blocks?.length > 0) {
    out.push('', '**Building blocks** (RS256 token; one at a time, same core)', '');
    out.push(
      table(
        ['operation', 'µs/op', 'ops/s'],
        result.blocks.map((b) => [b.name, micros(1e6 / b.ops), int(b.ops)]),
      ),
    );
  }
  return out.join('\n');
}

export function renderMemory(result) {
  const out = [
    '### Memory of a verifier after N distinct tokens',
    '',
    `Growth of heapUsed (and external) after global.gc() from verifying N distinct RS256 tokens ` +
      `(${result.settings.tokenLength} characters) with one verifier, each figure from its own process ` +
      `after a throw-away warm-up instance verified ${int(result.settings.warmup)} tokens. ` +
      'Differences under ~200 KiB are GC and JIT noise, not per-token state.',
    '',
  ];
  out.push(
    table(
      ['verifier', 'N tokens', 'heap growth', 'external growth', 'per token'],
      result.results.map((r) => [
        r.verifier,
        int(r.tokens),
        bytes(r.heapGrowth),
        bytes(r.externalGrowth),
        r.tokens === 0 ? '—' : bytes(r.perToken),
      ]),
    ),
  );
  return out.join('\n');
}

function cell(m) {
  if (m === undefined) return 'n/a';
  return `${int(m.rps)}${m.invalid ? ' (!)' : ''}`;
}

function pair(a, b, format) {
  return `${format(a)} / ${format(b)}`;
}

export function renderHttp(result) {
  const s = result.settings;
  const pin = s.pinned
    ? `server on core ${s.pinned.server}; autocannon and the issuer on core ${s.pinned.loadGenerator}`
    : 'not pinned';
  const out = [
    '### HTTP (req/s)',
    '',
    `GET /hello → {"ok":true}; autocannon, ${s.connections} connections, ${s.duration} s per run after ${s.warmup} s warm-up, ` +
      `median of ${s.rounds} round(s), a fresh server per configuration and round; ${pin}. ` +
      `Hot: one token on every request. Cold: ${int(s.pool)} distinct RS256 tokens (${s.tokenLength} chars) cycled by all connections together ` +
      `(a token comes back only after all ${int(s.pool)} others; a cache smaller than that never hits).`,
    '',
    '- "× bare": req/s ÷ the same framework without auth, same mode. "tokenward ÷ this": tokenward req/s ÷ this row (above 1: tokenward is faster).',
    '- "per CPU-s": requests per CPU-second of the server process (req/s ÷ its CPU use): the same ratio with ' +
      "the time other processes took from the server's core removed. Meaningful when the server is CPU-bound (server cpu near 100%); " +
      'a server waiting on I/O (hono/jwk fetching keys) or a bare server limited by the load generator (load cpu near 100%) reads high.',
    '- "cpu": CPU of the server process (all threads) and of the load generator during the run, in % of one core.',
  ];
  if (result.noise) {
    out.push(
      '',
      `Noise: other processes on this machine used ${percent(result.noise.otherCpuMedian)} of a core during the median run ` +
        `(at most ${percent(result.noise.otherCpuMax)}; ${result.noise.quietWaitSeconds ?? 0} s spent waiting for quiet before runs); ` +
        'compare ratios, not absolute req/s, across runs.',
    );
  }
  const medians = result.medians;
  const get = (framework, variant, mode) =>
    medians.find((m) => m.framework === framework && m.variant === variant && m.mode === mode);

  const summary = [];
  const guardCost = [];
  for (const framework of s.frameworks) {
    const rows = [];
    const bareHot = get(framework, 'bare', 'hot');
    const bareCold = get(framework, 'bare', 'cold');
    const twHot = get(framework, 'tokenward', 'hot');
    const twCold = get(framework, 'tokenward', 'cold');
    for (const variant of result.variants[framework]) {
      const hot = get(framework, variant.id, 'hot');
      const cold = get(framework, variant.id, 'cold');
      const failure = result.failures.find(
        (f) => f.framework === framework && f.variant === variant.id,
      );
      if (failure) {
        rows.push([variant.label, `FAILED: ${failure.error}`, ...Array(10).fill('')]);
        continue;
      }
      const bare = variant.role === 'bare';
      const peer = variant.role === 'peer';
      // Against the no-op guard, "tokenward ÷ this" is the guard's own cost in that framework.
      const compared = peer || variant.role === 'floor';
      rows.push([
        variant.label,
        cell(hot),
        bare ? '1.00×' : ratio(hot?.rps / bareHot?.rps),
        cell(cold),
        bare ? '1.00×' : ratio(cold?.rps / bareCold?.rps),
        compared ? ratio(twHot?.rps / hot?.rps) : '—',
        compared ? ratio(twCold?.rps / cold?.rps) : '—',
        pair(hot?.rpsPerCpu, cold?.rpsPerCpu, int),
        compared
          ? pair(twHot?.rpsPerCpu / hot?.rpsPerCpu, twCold?.rpsPerCpu / cold?.rpsPerCpu, ratio)
          : '—',
        `${hot?.latencyP99 ?? 'n/a'} / ${cold?.latencyP99 ?? 'n/a'}`,
        pair(hot?.serverCpu, cold?.serverCpu, percent),
        pair(hot?.loadCpu, cold?.loadCpu, percent),
      ]);
      if (peer) {
        summary.push([
          framework,
          variant.label,
          ratio(twHot?.rps / bareHot?.rps),
          ratio(hot?.rps / bareHot?.rps),
          ratio(twHot?.rps / hot?.rps),
          ratio(twHot?.rpsPerCpu / hot?.rpsPerCpu),
          ratio(twCold?.rps / bareCold?.rps),
          ratio(cold?.rps / bareCold?.rps),
          ratio(twCold?.rps / cold?.rps),
          ratio(twCold?.rpsPerCpu / cold?.rpsPerCpu),
        ]);
      }
    }
    const floorHot = get(framework, 'noop', 'hot');
    if (floorHot !== undefined) {
      guardCost.push([
        framework,
        ratio(twHot?.rps / bareHot?.rps),
        ratio(floorHot.rps / bareHot?.rps),
        ratio(twHot?.rps / floorHot.rps),
        ratio(twHot?.rpsPerCpu / floorHot.rpsPerCpu),
      ]);
    }
    out.push('', `**${framework}**`, '');
    out.push(
      table(
        [
          'configuration',
          'hot req/s',
          'hot × bare',
          'cold req/s',
          'cold × bare',
          'tokenward ÷ this (hot)',
          'tokenward ÷ this (cold)',
          'per CPU-s hot / cold',
          'tokenward ÷ this per CPU-s hot / cold',
          'p99 ms hot / cold',
          'server cpu hot / cold',
          'load cpu hot / cold',
        ],
        rows,
      ),
    );
  }
  out.push(
    '',
    '**Summary: ratios** (req/s; "per CPU-s" columns: requests per server CPU-second)',
    '',
  );
  out.push(
    table(
      [
        'framework',
        'peer',
        'hot: tokenward × bare',
        'hot: peer × bare',
        'hot: tokenward ÷ peer',
        'hot: tokenward ÷ peer per CPU-s',
        'cold: tokenward × bare',
        'cold: peer × bare',
        'cold: tokenward ÷ peer',
        'cold: tokenward ÷ peer per CPU-s',
      ],
      summary,
    ),
  );
  if (guardCost.length > 0) {
    out.push(
      '',
      "**The guard's own cost, hot** (the no-op guard sits where tokenward's guard sits and verifies nothing: " +
        'what the framework charges for one more middleware, hook or guard)',
      '',
      table(
        [
          'framework',
          'tokenward × bare',
          'no-op guard × bare',
          'tokenward ÷ no-op guard',
          'tokenward ÷ no-op guard per CPU-s',
        ],
        guardCost,
      ),
    );
  }
  out.push(
    '',
    '**How each configuration gets its keys** (all verify the same RS256 tokens from one 127.0.0.1 issuer)',
    '',
  );
  for (const framework of s.frameworks) {
    for (const variant of result.variants[framework]) {
      if (variant.keys) out.push(`- ${framework} / ${variant.label}: ${variant.keys}`);
    }
  }
  const invalid = medians.filter((m) => m.invalid);
  if (invalid.length > 0) {
    out.push(
      '',
      `(!) runs with non-2xx responses or errors: ${invalid.map((m) => `${m.framework}/${m.variant} ${m.mode}`).join(', ')}`,
    );
  }
  if (result.failures.length > 0) {
    out.push(
      '',
      `Failed configurations: ${result.failures.map((f) => `${f.key}: ${f.error}`).join('; ')}`,
    );
  }
  return out.join('\n');
}
