def inside(cr, ci, max_iter):
    zr = 0.0
    zi = 0.0
    for _ in range(max_iter):
        nzr = zr * zr - zi * zi + cr
        nzi = 2.0 * zr * zi + ci
        if nzr * nzr + nzi * nzi > 4.0:
            return False
        zr = nzr
        zi = nzi
    return True


def mandelbrot(size, max_iter):
    count = 0
    for row in range(size):
        ci = -1.5 + 3.0 * row / size
        for col in range(size):
            cr = -2.0 + 3.0 * col / size
            if inside(cr, ci, max_iter):
                count += 1
    return count


def main():
    print(mandelbrot(600, 200))


main()
