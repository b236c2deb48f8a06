local function check(i)
  if i % 2 == 1 then
    error({ message = "odd", data = i })
  end
  return i
end

local function main()
  local total = 0
  for i = 0, 299999 do
    local ok, v = pcall(check, i)
    if ok then
      total = total + v
    else
      total = total + v.data
    end
  end
  print(total)
end

main()
