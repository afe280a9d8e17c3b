-- wrk script for bench/l7-locality.sh: GET /obj/<k> with k drawn from a Zipf law over TARGETS objects
-- (exponent ZIPF_S), the skewed mix of web objects the thesis' locality schedulers are built for.
local n = tonumber(os.getenv("TARGETS") or "10000")
local s = tonumber(os.getenv("ZIPF_S") or "0.9")
local cdf, sum = {}, 0
for i = 1, n do sum = sum + 1 / (i ^ s); cdf[i] = sum end
for i = 1, n do cdf[i] = cdf[i] / sum end
math.randomseed(tonumber(os.getenv("SEED") or "42"))
request = function()
  local u, lo, hi = math.random(), 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", "/obj/" .. lo)
end
