/* Every scalar type of LANGUAGE.md §8 in and out, for ffi/tests/c_types.rs. */
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

bool t_not(bool b) { return !b; }
int8_t t_i8(int8_t x) { return x; }
uint8_t t_u8(uint8_t x) { return x; }
int16_t t_i16(int16_t x) { return x; }
uint16_t t_u16(uint16_t x) { return x; }
int32_t t_i32(int32_t x) { return x; }
uint32_t t_u32(uint32_t x) { return x; }
int64_t t_i64(int64_t x) { return x; }
uint64_t t_u64(uint64_t x) { return x; }
float t_float(float x) { return x * 2.0f; }
double t_double(double x) { return x * 2.0; }
void *t_pointer(void *p) { return p; }
const char *t_null_string(void) { return NULL; }
const char *t_string(const char *s) { return s; }
/* Small integers must arrive extended as the ABI wants: a negative i8
   compared as an int. */
int t_i8_is_negative(int8_t x) { return x < 0; }
/* Mixed classes: integers and floats in their own registers. */
double t_mixed(int32_t a, double b, int64_t c, float d, uint8_t e) {
    return a + b + (double)c + d + e;
}
/* More arguments than registers: some go on the stack. */
int64_t t_many(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e,
               int64_t f, int64_t g, int64_t h, int64_t i) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i;
}
static int counter;
void t_bump(void) { counter++; }
int t_counter(void) { return counter; }
