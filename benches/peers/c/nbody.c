#include <math.h>
#include <stdio.h>

#define PI 3.141592653589793
#define SOLAR_MASS (4.0 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NBODIES 5

/* x y z vx vy vz mass, like the Elle version's vectors */
static double bodies[NBODIES][7];

static void make_body(int k, double x, double y, double z,
                      double vx, double vy, double vz, double mass)
{
    bodies[k][0] = x;
    bodies[k][1] = y;
    bodies[k][2] = z;
    bodies[k][3] = vx * DAYS_PER_YEAR;
    bodies[k][4] = vy * DAYS_PER_YEAR;
    bodies[k][5] = vz * DAYS_PER_YEAR;
    bodies[k][6] = mass * SOLAR_MASS;
}

static void init(void)
{
    make_body(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0);
    make_body(1, 4.84143144246472090e+00, -1.16032004402742839e+00,
              -1.03622044471123109e-01, 1.66007664274403694e-03,
              7.69901118419740425e-03, -6.90460016972063023e-05,
              9.54791938424326609e-04);
    make_body(2, 8.34336671824457987e+00, 4.12479856412430479e+00,
              -4.03523417114321381e-01, -2.76742510726862411e-03,
              4.99852801234917238e-03, 2.30417297573763929e-05,
              2.85885980666130812e-04);
    make_body(3, 1.28943695621391310e+01, -1.51111514016986312e+01,
              -2.23307578892655734e-01, 2.96460137564761618e-03,
              2.37847173959480950e-03, -2.96589568540237556e-05,
              4.36624404335156298e-05);
    make_body(4, 1.53796971148509165e+01, -2.59193146099879641e+01,
              1.79258772950371181e-01, 2.68067772490389322e-03,
              1.62824170038242295e-03, -9.51592254519715870e-05,
              5.15138902046611451e-05);
}

static void offset_momentum(void)
{
    double px = 0.0, py = 0.0, pz = 0.0;
    for (int i = 0; i < NBODIES; i++) {
        px += bodies[i][3] * bodies[i][6];
        py += bodies[i][4] * bodies[i][6];
        pz += bodies[i][5] * bodies[i][6];
    }
    bodies[0][3] = -px / SOLAR_MASS;
    bodies[0][4] = -py / SOLAR_MASS;
    bodies[0][5] = -pz / SOLAR_MASS;
}

static double energy(void)
{
    double e = 0.0;
    for (int i = 0; i < NBODIES; i++) {
        double *bi = bodies[i];
        e += 0.5 * bi[6] * (bi[3] * bi[3] + bi[4] * bi[4] + bi[5] * bi[5]);
        for (int j = i + 1; j < NBODIES; j++) {
            double *bj = bodies[j];
            double dx = bi[0] - bj[0];
            double dy = bi[1] - bj[1];
            double dz = bi[2] - bj[2];
            e -= (bi[6] * bj[6]) / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static void advance(double dt)
{
    for (int i = 0; i < NBODIES; i++) {
        double *bi = bodies[i];
        for (int j = i + 1; j < NBODIES; j++) {
            double *bj = bodies[j];
            double dx = bi[0] - bj[0];
            double dy = bi[1] - bj[1];
            double dz = bi[2] - bj[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            double mi = bi[6] * mag;
            double mj = bj[6] * mag;
            bi[3] -= dx * mj;
            bi[4] -= dy * mj;
            bi[5] -= dz * mj;
            bj[3] += dx * mi;
            bj[4] += dy * mi;
            bj[5] += dz * mi;
        }
    }
    for (int i = 0; i < NBODIES; i++) {
        double *b = bodies[i];
        b[0] += dt * b[3];
        b[1] += dt * b[4];
        b[2] += dt * b[5];
    }
}

int main(void)
{
    init();
    offset_momentum();
    printf("%.9f\n", energy());
    for (int k = 0; k < 200000; k++)
        advance(0.01);
    printf("%.9f\n", energy());
    return 0;
}
