package fuse3d.tensor;

/** Elementwise functions of two broadcast tensors, with their float64 and int64 definitions. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, ATAN2, REMAINDER, FLOOR_DIVIDE,
    EQ, NE, LT, LE, GT, GE, LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR;

    public boolean isComparison() { return ordinal() >= EQ.ordinal() && ordinal() <= GE.ordinal(); }

    public boolean isLogical() { return ordinal() >= LOGICAL_AND.ordinal(); }

    public String torchName() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** The dtype of the result for operands of these dtypes, following PyTorch's promotion. */
    public DType resultType(DType a, DType b) {
        if (isComparison() || isLogical()) return DType.BOOL;
        DType p = DType.promote(a, b);
        if (p == DType.BOOL) {
            // torch: bool + bool is logical or, bool * bool logical and; bool - bool is an error
            if (this == SUB) throw new IllegalArgumentException("sub: subtraction of two bool tensors is not supported; use logicalXor()");
            if (this != ADD && this != MUL && this != MAXIMUM && this != MINIMUM && this != DIV && this != ATAN2) p = DType.INT64;
        }
        if ((this == DIV || this == ATAN2) && !p.isFloating()) return DType.FLOAT32;
        return p;
    }

    /** The dtype both operands are converted to before the op is applied. */
    public DType computeType(DType a, DType b) {
        if (isLogical()) return DType.BOOL;
        DType p = DType.promote(a, b);
        if ((this == DIV || this == ATAN2) && !p.isFloating()) return DType.FLOAT32;
        return p;
    }

    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> (Double.isNaN(a) || Double.isNaN(b)) ? Double.NaN : Math.max(a, b);
            case MINIMUM -> (Double.isNaN(a) || Double.isNaN(b)) ? Double.NaN : Math.min(a, b);
            case ATAN2 -> Math.atan2(a, b);
            case REMAINDER -> { // Python's modulo: the sign follows the divisor
                double r = a % b;
                yield (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
            }
            case FLOOR_DIVIDE -> floorDivide(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LOGICAL_AND -> (a != 0 && b != 0) ? 1 : 0;
            case LOGICAL_OR -> (a != 0 || b != 0) ? 1 : 0;
            case LOGICAL_XOR -> ((a != 0) != (b != 0)) ? 1 : 0;
        };
    }

    /**
     * torch's div_floor_floating (c10/util/generic_math.h): floor(a / b) would round 1.0 // 0.1 up to 10 and
     * give -0.0 for -3 // inf; torch (like Python) divides the exact a - fmod(a, b) instead: 9 and -1.
     */
    private static double floorDivide(double a, double b) {
        if (b == 0) return a / b;
        double mod = a % b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
        if (div == 0) return Math.copySign(0.0, a / b);
        double floordiv = Math.floor(div);
        if (div - floordiv > 0.5) floordiv += 1;
        return floordiv;
    }

    public long applyLong(long a, long b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> throw new IllegalStateException("integer DIV is computed in float");
            case POW -> {
                if (b < 0) {
                    // torch's powi for a tensor exponent: 1 and -1 keep their powers, every other base gives 0
                    // (torch raises only for a Python int scalar exponent, which reaches here as a float)
                    if (a == 1) yield 1;
                    if (a == -1) yield (b & 1) == 0 ? 1 : -1;
                    yield 0;
                }
                long r = 1, base = a, e = b;
                while (e > 0) {
                    if ((e & 1) == 1) r *= base;
                    base *= base;
                    e >>= 1;
                }
                yield r;
            }
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case ATAN2 -> throw new IllegalStateException("integer ATAN2 is computed in float");
            case REMAINDER -> {
                if (b == 0) throw new ArithmeticException("remainder: integer division by zero");
                yield Math.floorMod(a, b);
            }
            case FLOOR_DIVIDE -> {
                if (b == 0) throw new ArithmeticException("floor_divide: integer division by zero");
                yield Math.floorDiv(a, b);
            }
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LOGICAL_AND -> (a != 0 && b != 0) ? 1 : 0;
            case LOGICAL_OR -> (a != 0 || b != 0) ? 1 : 0;
            case LOGICAL_XOR -> ((a != 0) != (b != 0)) ? 1 : 0;
        };
    }
}
