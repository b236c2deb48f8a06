local function make_counter()
  local count = 0
  return function(n)
    count = count + n
    return count
  end
end

local function main()
  local counters = {}
  for i = 1, 1000 do counters[i] = make_counter() end
  for r = 0, 19999 do
    for i = 1, #counters do
      counters[i](r)
    end
  end
  local total = 0
  for i = 1, #counters do
    total = total + counters[i](0)
  end
  print(total)
end

main()
