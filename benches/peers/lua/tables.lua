-- Values stay below 2^53, so this is exact with doubles too (LuaJIT).
local function fill_table(n, nkeys)
  local counts = {}
  for i = 0, n - 1 do
    local key = "k" .. (i % nkeys)
    counts[key] = (counts[key] or 0) + i
  end
  return counts
end

local function main()
  local counts = fill_table(200000, 50000)
  local total, nkeys = 0, 0
  for _, v in pairs(counts) do
    total = total + v
    nkeys = nkeys + 1
  end
  print(total)
  print(nkeys)
end

main()
