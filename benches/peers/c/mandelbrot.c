#include <stdio.h>

static int inside(double cr, double ci, int max_iter)
{
    double zr = 0.0, zi = 0.0;
    for (int i = 0; i < max_iter; i++) {
        double nzr = zr * zr - zi * zi + cr;
        double nzi = 2.0 * zr * zi + ci;
        if (nzr * nzr + nzi * nzi > 4.0) return 0;
        zr = nzr;
        zi = nzi;
    }
    return 1;
}

static long mandelbrot(int size, int max_iter)
{
    long count = 0;
    for (int row = 0; row < size; row++) {
        double ci = -1.5 + 3.0 * row / size;
        for (int col = 0; col < size; col++) {
            double cr = -2.0 + 3.0 * col / size;
            if (inside(cr, ci, max_iter)) count++;
        }
    }
    return count;
}

int main(void)
{
    printf("%ld\n", mandelbrot(600, 200));
    return 0;
}
