-- `cargo xtask bench --http`: sends the tokens of a file (one per line) in turn, one per
-- request, in the `x-stack-access-token` header, and prints wrk's summary as one JSON line
-- (exact microseconds, where wrk's own report rounds).
--
-- Usage: wrk ... -s wrk.lua <url> -- <tokens-file>
local prepared = {}
local turn = 0

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open the tokens file")
  for token in file:lines() do
    if #token > 0 then
      prepared[#prepared + 1] = wrk.format("GET", "/", { ["x-stack-access-token"] = token })
    end
  end
  file:close()
  assert(#prepared > 0, "no tokens in " .. args[1])
end

function request()
  turn = turn % #prepared + 1
  return prepared[turn]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'XTASK_WRK {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"non_2xx":%d,"timeouts":%d,"mean_us":%.1f,"p50_us":%d,' ..
    '"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
