-- A Matrix-shaped request mix for wrk: many distinct users (syt_ tokens), mostly incremental
-- /sync (answered at once by the benchmark upstreams), sends, profile reads, media, federation, admin.
local paths = {
  {w = 40, m = "GET",  p = "/_matrix/client/v3/sync?since=s72594_4483&timeout=0"},
  {w = 15, m = "PUT",  p = "/_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/txn", body = '{"msgtype":"m.text","body":"hello"}'},
  {w = 15, m = "GET",  p = "/_matrix/client/v3/profile/%40alice%3Aexample.org"},
  {w = 10, m = "GET",  p = "/_matrix/client/v1/media/thumbnail/example.org/abcdef?width=96&height=96"},
  {w = 10, m = "PUT",  p = "/_matrix/federation/v1/send/1700000000", body = '{"pdus":[]}'},
  {w = 5,  m = "GET",  p = "/_synapse/admin/v1/server_version"},
  {w = 5,  m = "GET",  p = "/_matrix/client/versions"},
}
local total = 0
for _, e in ipairs(paths) do total = total + e.w end
local users = 5000
local counter = 0

local function b64(s)
  local chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  return ((s:gsub('.', function(x)
    local r, byte = '', x:byte()
    for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if #x < 6 then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return chars:sub(c + 1, c + 1)
  end))
end

local tokens = {}
for i = 1, users do tokens[i] = "syt_" .. b64("user" .. i) .. "_RANDOMrandomRANDOM" .. i .. "_0a1b2c" end

request = function()
  counter = counter + 1
  local pick = (counter * 7919) % total
  local entry
  for _, e in ipairs(paths) do
    if pick < e.w then entry = e break end
    pick = pick - e.w
  end
  local headers = {["Authorization"] = "Bearer " .. tokens[(counter * 104729) % users + 1], ["Host"] = "matrix.example.org"}
  local path = entry.p
  if entry.m == "PUT" then path = path .. counter end
  if entry.body then headers["Content-Type"] = "application/json" end
  return wrk.format(entry.m, path, headers, entry.body)
end

-- After the run: the far tail wrk's own summary leaves out, in milliseconds, on one line that
-- common.sh's wrk_measure reads ("TAIL p99.9 max").
done = function(summary, latency, requests)
  io.write(string.format("TAIL %.2f %.2f\n", latency:percentile(99.9) / 1000, latency.max / 1000))
end
