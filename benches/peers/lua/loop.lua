-- i*i < 2^53 and acc < 2^31, so this is exact with doubles too (LuaJIT).
local function sum_squares_mod_7(n)
  local acc = 0
  local i = 0
  while i < n do
    acc = acc + (i * i) % 7
    i = i + 1
  end
  return acc
end

local function main()
  print(sum_squares_mod_7(30000000))
end

main()
