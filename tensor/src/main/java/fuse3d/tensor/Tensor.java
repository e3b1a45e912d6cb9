package fuse3d.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array: a view (shape, strides, offset) over a {@link Storage} of one {@link DType}.
 *
 * <p>View methods (reshape when possible, permute, narrow, expand, squeeze, ...) share storage and copy
 * nothing; every other method returns a new contiguous tensor. Arguments are checked here, at the door:
 * an error names the op, the shapes and what was expected. The arithmetic runs on the {@link Backend} of
 * the tensor's device, the CPU reference by default.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;
    private final Device device;

    /** A view over existing storage; used by backends and views. */
    public Tensor(Storage storage, int[] shape, int[] strides, int offset, Device device) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.device = device;
    }

    /** A contiguous host tensor over a storage. */
    public Tensor(Storage storage, int[] shape) {
        this(storage, shape.clone(), Shape.contiguousStrides(shape), 0, Device.CPU);
        if (Shape.numel(shape) > storage.length())
            throw new IllegalArgumentException("storage of " + storage.length() + " elements is too small for shape " + Shape.str(shape));
    }

    // ------------------------------------------------------------------ creation

    public static Tensor zeros(int... shape) { return zeros(DType.FLOAT32, shape); }

    public static Tensor zeros(DType dtype, int... shape) {
        Shape.numel(shape);
        return Backends.cpu().zeros(shape.clone(), dtype);
    }

    public static Tensor ones(int... shape) { return full(1.0, DType.FLOAT32, shape); }

    public static Tensor ones(DType dtype, int... shape) { return full(1.0, dtype, shape); }

    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (Double.doubleToRawLongBits(value) != 0) t.fill_(value); // -0.0 must be written, as torch.full keeps it
        return t;
    }

    /** A 0-d float32 tensor. */
    public static Tensor scalar(double value) { return scalar(value, DType.FLOAT32); }

    public static Tensor scalar(double value, DType dtype) { return full(value, dtype); }

    public static Tensor of(float[] data, int... shape) {
        requireLength("of", data.length, shape);
        return new Tensor(Storage.wrap(data), shape);
    }

    public static Tensor of(double[] data, int... shape) {
        requireLength("of", data.length, shape);
        return new Tensor(Storage.wrap(data), shape);
    }

    public static Tensor ofInts(int[] data, int... shape) {
        requireLength("ofInts", data.length, shape);
        return new Tensor(Storage.wrap(data), shape);
    }

    public static Tensor ofLongs(long[] data, int... shape) {
        requireLength("ofLongs", data.length, shape);
        return new Tensor(Storage.wrap(data), shape);
    }

    public static Tensor ofBools(boolean[] data, int... shape) {
        requireLength("ofBools", data.length, shape);
        return new Tensor(Storage.wrap(data), shape);
    }

    /** A 1-d float32 tensor of the given values. */
    public static Tensor vector(float... data) { return ofFloats(data, data.length); }

    public static Tensor ofFloats(float[] data, int... shape) {
        requireLength("of", data.length, shape);
        return new Tensor(Storage.wrap(data), shape);
    }

    private static void requireLength(String op, int length, int[] shape) {
        int n = Shape.numel(shape);
        if (n != length)
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + Shape.str(shape) + " (" + n + " elements)");
    }

    /** Values start, start+step, ... below end (as torch.arange). */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (dtype.isIntegral()) {
            // torch converts start, end and step to the integer dtype first (truncating), so
            // arange(0, 4.5, 1.5, dtype=int64) is arange(0, 4, 1) = [0, 1, 2, 3], and a step of 0.5 is zero
            start = (long) start;
            end = (long) end;
            step = (long) step;
        }
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange: step must be nonzero, got " + step);
        double n = Math.ceil((end - start) / step);
        if (n < 0 || Double.isNaN(n))
            throw new IllegalArgumentException("arange: start " + start + ", end " + end + " and step " + step + " are inconsistent");
        int len = (int) n;
        Tensor t = zeros(dtype, len);
        for (int i = 0; i < len; i++) t.storage.setDouble(i, start + i * step);
        return t;
    }

    /** 0, 1, ..., n-1 as int64, like torch.arange(n). */
    public static Tensor arange(int n) { return arange(0, n, 1, DType.INT64); }

    /** steps evenly spaced float32 values from start to end inclusive (as torch.linspace). */
    public static Tensor linspace(double start, double end, int steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        Tensor t = zeros(DType.FLOAT32, steps);
        if (steps == 1) t.storage.setDouble(0, start);
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        int half = steps / 2;
        // torch fills the second half from the end so both endpoints are exact
        for (int i = 0; i < steps && steps > 1; i++)
            t.storage.setDouble(i, i < half ? start + step * i : end - step * (steps - 1 - i));
        return t;
    }

    public static Tensor eye(int n) { return eye(n, n, DType.FLOAT32); }

    public static Tensor eye(int n, int m, DType dtype) {
        Tensor t = zeros(dtype, n, m);
        for (int i = 0; i < Math.min(n, m); i++) t.storage.setDouble(i * m + i, 1);
        return t;
    }

    // ------------------------------------------------------------------ metadata

    public int[] shape() { return shape.clone(); }

    public int dim() { return shape.length; }

    public int size(int dim) { return shape[Shape.wrapDim("size", dim, requireDims("size"))]; }

    public int[] strides() { return strides.clone(); }

    public int stride(int dim) { return strides[Shape.wrapDim("stride", dim, requireDims("stride"))]; }

    /** The rank, or an error for a 0-d tensor: wrapDim lets dim 0 / -1 through for it, which has no dim to index. */
    private int requireDims(String op) {
        if (shape.length == 0) throw new IllegalArgumentException(op + ": cannot be applied to a 0-dim tensor");
        return shape.length;
    }

    public int offset() { return offset; }

    public DType dtype() { return storage.dtype(); }

    public Device device() { return device; }

    public Storage storage() { return storage; }

    public int numel() { return Shape.numel(shape); }

    public Backend backend() { return Backends.forDevice(device); }

    /** True when the elements lie in row-major order without gaps (size-1 dims may have any stride). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** Storage index of the element at a multi-index. */
    public int storageIndex(int... index) {
        if (index.length != shape.length)
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length + " entries for a tensor of shape " + Shape.str(shape));
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            int v = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (v < 0 || v >= shape[i])
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for shape " + Shape.str(shape));
            p += v * strides[i];
        }
        return p;
    }

    public double getDouble(int... index) { return storage.getDouble(storageIndex(index)); }

    public float getFloat(int... index) { return (float) getDouble(index); }

    public long getLong(int... index) { return storage.getLong(storageIndex(index)); }

    public boolean getBool(int... index) { return storage.getBool(storageIndex(index)); }

    public void set(double value, int... index) { storage.setDouble(storageIndex(index), value); }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalArgumentException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, expected 1");
        if (!storage.isHost()) return to(Device.CPU).item(); // device memory is read through a copy to the host
        return storage.getDouble(offset);
    }

    public float[] toFloatArray() {
        Tensor c = contiguousAs(DType.FLOAT32);
        return Arrays.copyOfRange(c.storage.floats(), c.offset, c.offset + c.numel());
    }

    public double[] toDoubleArray() {
        Tensor c = contiguousAs(DType.FLOAT64);
        return Arrays.copyOfRange(c.storage.doubles(), c.offset, c.offset + c.numel());
    }

    public long[] toLongArray() {
        Tensor c = contiguousAs(DType.INT64);
        return Arrays.copyOfRange(c.storage.longs(), c.offset, c.offset + c.numel());
    }

    public int[] toIntArray() {
        Tensor c = contiguousAs(DType.INT32);
        return Arrays.copyOfRange(c.storage.ints(), c.offset, c.offset + c.numel());
    }

    public boolean[] toBoolArray() {
        Tensor c = contiguousAs(DType.BOOL);
        return Arrays.copyOfRange(c.storage.bools(), c.offset, c.offset + c.numel());
    }

    private Tensor contiguousAs(DType dt) {
        if (!storage.isHost()) return to(Device.CPU).contiguousAs(dt); // the to...Array() of a device tensor copies it to the host
        // an empty view may sit at an offset past its storage's end (zeros(3, 0).select(0, 2)): copy it
        return (dtype() == dt && isContiguous() && numel() > 0) ? this : backend().copy(this, dt);
    }

    // ------------------------------------------------------------------ views

    /** Same data, new shape (one entry may be -1); copies only when the strides do not allow a view. */
    public Tensor reshape(int... newShape) {
        int[] s = inferShape("reshape", newShape);
        int[] st = viewStrides(s);
        if (st != null) return new Tensor(storage, s, st, offset, device);
        return contiguous().view(s);
    }

    /** Like reshape but never copies: an error when the strides do not allow a view. */
    public Tensor view(int... newShape) {
        int[] s = inferShape("view", newShape);
        int[] st = viewStrides(s);
        if (st == null)
            throw new IllegalArgumentException("view: shape " + Shape.str(s) + " is not compatible with the strides "
                    + Arrays.toString(strides) + " of a tensor of shape " + Shape.str(shape) + "; use reshape (copies) or contiguous() first");
        return new Tensor(storage, s, st, offset, device);
    }

    private int[] inferShape(String op, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dim may be -1 in " + Arrays.toString(newShape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + s[i] + " in " + Arrays.toString(newShape));
            } else known *= s[i];
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0)
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(newShape) + " is invalid for input of shape " + Shape.str(shape) + " (" + n + " elements)");
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(newShape) + " is invalid for input of shape " + Shape.str(shape) + " (" + n + " elements)");
        }
        return s;
    }

    /** Strides for viewing this tensor as newShape without a copy, or null (PyTorch's computeStride). */
    private int[] viewStrides(int[] newShape) {
        if (numel() == 0) return Shape.contiguousStrides(newShape);
        int[] out = new int[newShape.length];
        int viewD = newShape.length - 1;
        int chunkBase = strides.length == 0 ? 1 : strides[strides.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    out[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) {
            // remaining leading size-1 dims of the view
            while (viewD >= 0) {
                if (newShape[viewD] != 1) return null;
                out[viewD] = 1;
                viewD--;
            }
        }
        return out;
    }

    /** Reorders the dims: result dim i is this tensor's dim order[i]. */
    public Tensor permute(int... order) {
        if (order.length != shape.length)
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " has " + order.length + " dims for a tensor of shape " + Shape.str(shape));
        int[] o = new int[order.length];
        boolean[] seen = new boolean[order.length];
        int[] s = new int[order.length], st = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            o[i] = Shape.wrapDim("permute", order[i], shape.length);
            if (seen[o[i]]) throw new IllegalArgumentException("permute: dim " + order[i] + " repeats in " + Arrays.toString(order));
            seen[o[i]] = true;
            s[i] = shape[o[i]];
            st[i] = strides[o[i]];
        }
        return new Tensor(storage, s, st, offset, device);
    }

    public Tensor transpose(int d0, int d1) {
        int[] order = Shape.range(shape.length);
        int a = Shape.wrapDim("transpose", d0, shape.length), b = Shape.wrapDim("transpose", d1, shape.length);
        if (shape.length == 0) return this; // torch: a 0-d tensor transposes (dims 0 / -1) to itself
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Transpose of a matrix (rank <= 2). */
    public Tensor t() {
        if (shape.length > 2) throw new IllegalArgumentException("t: expects a tensor of rank <= 2, got shape " + Shape.str(shape));
        return shape.length < 2 ? this : transpose(0, 1);
    }

    /** Moves dim {@code from} to position {@code to}. */
    public Tensor movedim(int from, int to) {
        int f = Shape.wrapDim("movedim", from, shape.length), t = Shape.wrapDim("movedim", to, shape.length);
        if (shape.length == 0) return this; // torch: movedim(0, 0) of a 0-d tensor is itself
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) if (i != f) order.add(i);
        order.add(t, f);
        return permute(order.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Elements start .. start+length-1 along dim. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shape.wrapDim("narrow", dim, requireDims("narrow"));
        int st = start < 0 ? start + shape[d] : start;
        if (st < 0 || length < 0 || st + length > shape[d])
            throw new IllegalArgumentException("narrow: start " + start + " length " + length + " out of range for dim " + dim + " of size " + shape[d] + " (shape " + Shape.str(shape) + ")");
        int[] s = shape.clone();
        s[d] = length;
        return new Tensor(storage, s, strides.clone(), offset + st * strides[d], device);
    }

    /** Python's x[start:end:step] along dim (end exclusive, clamped; negatives count from the end). */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shape.wrapDim("slice", dim, requireDims("slice"));
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int n = shape[d];
        int s0 = start < 0 ? Math.max(start + n, 0) : Math.min(start, n);
        int e0 = end < 0 ? Math.max(end + n, 0) : Math.min(end, n);
        int len = e0 > s0 ? (e0 - s0 + step - 1) / step : 0;
        int[] s = shape.clone(), st = strides.clone();
        s[d] = len;
        st[d] = strides[d] * step;
        return new Tensor(storage, s, st, offset + (len > 0 ? s0 * strides[d] : 0), device);
    }

    /** The slice at {@code index} along dim, with that dim removed. */
    public Tensor select(int dim, int index) {
        int d = Shape.wrapDim("select", dim, requireDims("select"));
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d])
            throw new IndexOutOfBoundsException("select: index " + index + " out of range for dim " + dim + " of size " + shape[d] + " (shape " + Shape.str(shape) + ")");
        int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int k = 0, j = 0; k < shape.length; k++) {
            if (k == d) continue;
            s[j] = shape[k];
            st[j++] = strides[k];
        }
        return new Tensor(storage, s, st, offset + i * strides[d], device);
    }

    /** Broadcasts to a larger shape with stride-0 dims (-1 keeps a size). */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length)
            throw new IllegalArgumentException("expand: target " + Arrays.toString(newShape) + " has fewer dims than shape " + Shape.str(shape));
        int lead = newShape.length - shape.length;
        int[] s = new int[newShape.length], st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            if (i < lead) {
                if (newShape[i] < 0) throw new IllegalArgumentException("expand: -1 is not allowed for new leading dim " + i + " in " + Arrays.toString(newShape));
                s[i] = newShape[i];
                st[i] = 0;
            } else {
                int cur = shape[i - lead];
                int want = newShape[i] == -1 ? cur : newShape[i];
                if (cur == want) {
                    s[i] = cur;
                    st[i] = strides[i - lead];
                } else if (cur == 1) {
                    s[i] = want;
                    st[i] = 0;
                } else {
                    throw new IllegalArgumentException("expand: shape " + Shape.str(shape) + " cannot be expanded to " + Arrays.toString(newShape) + " (dim " + i + " has size " + cur + ", not 1)");
                }
            }
        }
        return new Tensor(storage, s, st, offset, device);
    }

    public Tensor expandAs(Tensor other) { return expand(other.shape); }

    /** Removes every size-1 dim. */
    public Tensor squeeze() {
        int n = 0;
        for (int d : shape) if (d != 1) n++;
        int[] s = new int[n], st = new int[n];
        for (int i = 0, j = 0; i < shape.length; i++) if (shape[i] != 1) {
            s[j] = shape[i];
            st[j++] = strides[i];
        }
        return new Tensor(storage, s, st, offset, device);
    }

    /** Removes dim if its size is 1 (as torch.squeeze(dim), a no-op otherwise). */
    public Tensor squeeze(int dim) {
        int d = Shape.wrapDim("squeeze", dim, shape.length); // checked first: a 0-d tensor accepts only 0 and -1
        if (shape.length == 0) return this;
        if (shape[d] != 1) return this;
        return select(d, 0);
    }

    /** Inserts a size-1 dim at position dim (in [-rank-1, rank]). */
    public Tensor unsqueeze(int dim) {
        int d = Shape.wrapDim("unsqueeze", dim, shape.length + 1);
        int[] s = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int i = 0, j = 0; i <= shape.length; i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = d < shape.length ? strides[d] * shape[d] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j++];
            }
        }
        return new Tensor(storage, s, st, offset, device);
    }

    public Tensor flatten() { return reshape(-1); }

    /** Merges dims start..end (inclusive) into one. */
    public Tensor flatten(int startDim, int endDim) {
        int a = Shape.wrapDim("flatten", startDim, shape.length), b = Shape.wrapDim("flatten", endDim, shape.length);
        if (shape.length == 0) return reshape(1);
        if (a > b) throw new IllegalArgumentException("flatten: start dim " + startDim + " is after end dim " + endDim);
        int[] s = new int[shape.length - (b - a)];
        int j = 0;
        for (int i = 0; i < a; i++) s[j++] = shape[i];
        int m = 1;
        for (int i = a; i <= b; i++) m *= shape[i];
        s[j++] = m;
        for (int i = b + 1; i < shape.length; i++) s[j++] = shape[i];
        return reshape(s);
    }

    /** This tensor if already contiguous, else a contiguous copy. */
    public Tensor contiguous() { return isContiguous() ? this : backend().copy(this, dtype()); }

    /** A contiguous copy that shares nothing with this tensor. */
    public Tensor copy() { return backend().copy(this, dtype()); }

    /** Converted to another dtype (this tensor when it already has it). */
    public Tensor to(DType dt) { return dt == dtype() ? this : backend().copy(this, dt); }

    /**
     * This tensor on {@code target}: itself when already there, else a contiguous copy made by the accelerator
     * backend of the two devices (an error naming the devices when none is installed).
     */
    public Tensor to(Device target) {
        if (target.equals(device)) return this;
        Backend b = device.equals(Device.CPU) ? Backends.forDevice(target) : backend();
        return b.transfer(this, target);
    }

    public Tensor toFloat() { return to(DType.FLOAT32); }

    public Tensor toDouble() { return to(DType.FLOAT64); }

    public Tensor toLong() { return to(DType.INT64); }

    // ------------------------------------------------------------------ in place (views write through)

    /** Copies src (broadcast to this shape, any dtype) into this view. */
    public Tensor copy_(Tensor src) {
        Shape.broadcast("copy_", shape, src.shape);
        Tensor s = src.expand(shape);
        backend().copyInto(this, s);
        return this;
    }

    public Tensor fill_(double value) {
        backend().fill(this, value);
        return this;
    }

    public Tensor zero_() { return fill_(0); }

    // ------------------------------------------------------------------ elementwise

    private Tensor unary(UnaryOp op, double p0, double p1) {
        DType in = dtype();
        DType out;
        if (op.boolResult()) out = DType.BOOL;
        else if (in == DType.BOOL && op == UnaryOp.SIGN) out = DType.BOOL; // torch.sign of bool stays bool
        else if (in.isFloating()) out = in;
        else if (op.integerClosed() && in != DType.BOOL) out = in;
        else if (op.integerClosed() && (op == UnaryOp.ABS || op == UnaryOp.RELU || op == UnaryOp.CLAMP)) out = DType.INT64;
        else if (in == DType.BOOL && op == UnaryOp.NEG)
            throw new IllegalArgumentException("neg: negation of a bool tensor is not supported; use logicalNot()");
        else out = in == DType.BOOL && op.integerClosed() ? DType.INT64 : DType.FLOAT32;
        return backend().unary(op, this, p0, p1, out);
    }

    public Tensor neg() { return unary(UnaryOp.NEG, 0, 0); }
    public Tensor abs() { return unary(UnaryOp.ABS, 0, 0); }
    public Tensor sign() { return unary(UnaryOp.SIGN, 0, 0); }
    public Tensor square() { return unary(UnaryOp.SQUARE, 0, 0); }
    public Tensor exp() { return unary(UnaryOp.EXP, 0, 0); }
    public Tensor log() { return unary(UnaryOp.LOG, 0, 0); }
    public Tensor log1p() { return unary(UnaryOp.LOG1P, 0, 0); }
    public Tensor expm1() { return unary(UnaryOp.EXPM1, 0, 0); }
    public Tensor sqrt() { return unary(UnaryOp.SQRT, 0, 0); }
    public Tensor rsqrt() { return unary(UnaryOp.RSQRT, 0, 0); }
    public Tensor reciprocal() { return unary(UnaryOp.RECIPROCAL, 0, 0); }
    public Tensor sigmoid() { return unary(UnaryOp.SIGMOID, 0, 0); }
    public Tensor tanh() { return unary(UnaryOp.TANH, 0, 0); }
    public Tensor relu() { return unary(UnaryOp.RELU, 0, 0); }
    public Tensor leakyRelu(double negativeSlope) { return unary(UnaryOp.LEAKY_RELU, negativeSlope, 0); }
    /** Exact GELU, x * Phi(x) (torch's approximate='none'). */
    public Tensor gelu() { return unary(UnaryOp.GELU, 0, 0); }
    /** GELU with the tanh approximation (torch's approximate='tanh'). */
    public Tensor geluTanh() { return unary(UnaryOp.GELU_TANH, 0, 0); }
    public Tensor silu() { return unary(UnaryOp.SILU, 0, 0); }
    public Tensor sin() { return unary(UnaryOp.SIN, 0, 0); }
    public Tensor cos() { return unary(UnaryOp.COS, 0, 0); }
    public Tensor floor() { return unary(UnaryOp.FLOOR, 0, 0); }
    public Tensor ceil() { return unary(UnaryOp.CEIL, 0, 0); }
    /** Round half to even, as torch.round. */
    public Tensor round() { return unary(UnaryOp.ROUND, 0, 0); }
    public Tensor trunc() { return unary(UnaryOp.TRUNC, 0, 0); }
    public Tensor logicalNot() { return unary(UnaryOp.LOGICAL_NOT, 0, 0); }
    public Tensor isnan() { return unary(UnaryOp.ISNAN, 0, 0); }
    public Tensor isfinite() { return unary(UnaryOp.ISFINITE, 0, 0); }

    /** Clamps into [min, max]; pass Double.NaN for a missing bound. */
    public Tensor clamp(double min, double max) {
        // torch: min > max gives max everywhere except at NaN, which stays NaN; the kernels do that as they stand
        // a fractional bound promotes an integer tensor to float32 (torch's result_type), as scalarLike does
        if (!dtype().isFloating() && (isFractional(min) || isFractional(max))) return toFloat().clamp(min, max);
        return unary(UnaryOp.CLAMP, min, max);
    }

    private static boolean isFractional(double v) { return !Double.isNaN(v) && (v != Math.rint(v) || Double.isInfinite(v)); }

    public Tensor clampMin(double min) { return clamp(min, Double.NaN); }

    public Tensor clampMax(double max) { return clamp(Double.NaN, max); }

    public Tensor pow(double exponent) {
        if (!dtype().isFloating() && exponent == Math.rint(exponent) && exponent >= 0)
            return binary(BinaryOp.POW, this, scalar(exponent, DType.INT64));
        return unary(UnaryOp.POW_SCALAR, exponent, 0);
    }

    /** Elementwise op with NumPy broadcasting and PyTorch's dtype promotion. */
    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        sameDevice(op.torchName(), a, b);
        int[] out = Shape.broadcast(op.torchName(), a.shape, b.shape);
        DType ca = a.dtype(), cb = b.dtype();
        // a 0-d operand does not promote a higher-dimensional one of the same category (torch's rule)
        if (a.dim() == 0 && b.dim() > 0 && sameCategory(ca, cb)) ca = cb;
        if (b.dim() == 0 && a.dim() > 0 && sameCategory(ca, cb)) cb = ca;
        DType compute = op.computeType(ca, cb);
        DType result = op.resultType(ca, cb);
        return a.backend().binary(op, a.expand(out), b.expand(out), compute, result);
    }

    /** Operands must share a device; a 0-d host tensor (a scalar) may join any device, as in PyTorch. */
    static void sameDevice(String op, Tensor... ts) {
        Device d = null;
        for (Tensor t : ts) {
            if (t.dim() == 0 && t.device.equals(Device.CPU)) continue;
            if (d == null) d = t.device;
            else if (!d.equals(t.device))
                throw new IllegalArgumentException(op + ": expected all tensors on one device, got " + d + " and " + t.device + " (shape " + Shape.str(t.shape) + ")");
        }
    }

    private static boolean sameCategory(DType x, DType y) {
        return (x.isFloating() && y.isFloating()) || (x.isIntegral() && y.isIntegral());
    }

    /** A 0-d tensor of a scalar operand: keeps this tensor's dtype unless the value needs a float. */
    private Tensor scalarLike(double v) {
        DType dt = dtype();
        if (dt.isFloating()) return scalar(v, dt);
        if (v == Math.rint(v) && !Double.isInfinite(v)) return scalar(v, dt == DType.BOOL ? DType.INT64 : dt);
        return scalar(v, DType.FLOAT32);
    }

    public Tensor add(Tensor o) { return binary(BinaryOp.ADD, this, o); }
    public Tensor add(double s) { return binary(BinaryOp.ADD, this, scalarLike(s)); }
    public Tensor sub(Tensor o) { return binary(BinaryOp.SUB, this, o); }
    public Tensor sub(double s) { return binary(BinaryOp.SUB, this, scalarLike(s)); }
    public Tensor mul(Tensor o) { return binary(BinaryOp.MUL, this, o); }
    public Tensor mul(double s) { return binary(BinaryOp.MUL, this, scalarLike(s)); }
    public Tensor div(Tensor o) { return binary(BinaryOp.DIV, this, o); }
    public Tensor div(double s) { return binary(BinaryOp.DIV, this, scalarLike(s)); }
    public Tensor pow(Tensor o) { return binary(BinaryOp.POW, this, o); }
    public Tensor remainder(Tensor o) { return binary(BinaryOp.REMAINDER, this, o); }
    public Tensor remainder(double s) { return binary(BinaryOp.REMAINDER, this, scalarLike(s)); }
    public Tensor floorDivide(Tensor o) { return binary(BinaryOp.FLOOR_DIVIDE, this, o); }
    public Tensor floorDivide(double s) { return binary(BinaryOp.FLOOR_DIVIDE, this, scalarLike(s)); }
    /** Elementwise maximum (NaN propagates), torch.maximum. */
    public Tensor maximum(Tensor o) { return binary(BinaryOp.MAXIMUM, this, o); }
    public Tensor minimum(Tensor o) { return binary(BinaryOp.MINIMUM, this, o); }
    public Tensor atan2(Tensor o) { return binary(BinaryOp.ATAN2, this, o); }
    public Tensor eq(Tensor o) { return binary(BinaryOp.EQ, this, o); }
    public Tensor eq(double s) { return binary(BinaryOp.EQ, this, scalarLike(s)); }
    public Tensor ne(Tensor o) { return binary(BinaryOp.NE, this, o); }
    public Tensor ne(double s) { return binary(BinaryOp.NE, this, scalarLike(s)); }
    public Tensor lt(Tensor o) { return binary(BinaryOp.LT, this, o); }
    public Tensor lt(double s) { return binary(BinaryOp.LT, this, scalarLike(s)); }
    public Tensor le(Tensor o) { return binary(BinaryOp.LE, this, o); }
    public Tensor le(double s) { return binary(BinaryOp.LE, this, scalarLike(s)); }
    public Tensor gt(Tensor o) { return binary(BinaryOp.GT, this, o); }
    public Tensor gt(double s) { return binary(BinaryOp.GT, this, scalarLike(s)); }
    public Tensor ge(Tensor o) { return binary(BinaryOp.GE, this, o); }
    public Tensor ge(double s) { return binary(BinaryOp.GE, this, scalarLike(s)); }
    public Tensor logicalAnd(Tensor o) { return binary(BinaryOp.LOGICAL_AND, this, o); }
    public Tensor logicalOr(Tensor o) { return binary(BinaryOp.LOGICAL_OR, this, o); }
    public Tensor logicalXor(Tensor o) { return binary(BinaryOp.LOGICAL_XOR, this, o); }

    /** cond ? a : b with broadcasting over all three (cond must be bool). */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL)
            throw new IllegalArgumentException("where: condition must be bool, got " + cond.dtype().torchName() + " of shape " + Shape.str(cond.shape));
        sameDevice("where", cond, a, b);
        int[] out = Shape.broadcast("where", cond.shape, a.shape, b.shape);
        DType ca = a.dtype(), cb = b.dtype();
        if (a.dim() == 0 && b.dim() > 0 && sameCategory(ca, cb)) ca = cb;
        if (b.dim() == 0 && a.dim() > 0 && sameCategory(ca, cb)) cb = ca;
        DType dt = DType.promote(ca, cb);
        return cond.backend().where(cond.expand(out), a.to(dt).expand(out), b.to(dt).expand(out));
    }

    /** Elements where mask is true replaced by value (mask broadcast to this shape). */
    public Tensor maskedFill(Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL)
            throw new IllegalArgumentException("masked_fill: mask must be bool, got " + mask.dtype().torchName());
        Shape.broadcast("masked_fill", shape, mask.shape);
        int[] out = Shape.broadcast("masked_fill", shape, mask.shape);
        if (!Arrays.equals(out, shape))
            throw new IllegalArgumentException("masked_fill: mask of shape " + Shape.str(mask.shape) + " does not broadcast to the tensor's shape " + Shape.str(shape));
        return where(mask, scalar(value, dtype()), this);
    }

    // ------------------------------------------------------------------ reductions

    private int[] allDims() { return Shape.range(shape.length); }

    private Tensor reduce(ReduceOp op, int[] dims, boolean keepdim, double p, DType out) {
        // dims == null or an empty list reduce over every dim, as torch 1.13 does for dim=[]
        int[] d = dims == null || dims.length == 0 ? allDims() : Shape.wrapDims(op.torchName(), dims, shape.length);
        if (shape.length == 0) d = new int[0];
        return backend().reduce(op, this, d, keepdim, p, out);
    }

    private DType sumType() { return dtype().isFloating() ? dtype() : DType.INT64; }

    public Tensor sum() { return reduce(ReduceOp.SUM, null, false, 0, sumType()); }
    public Tensor sum(int dim) { return sum(new int[] {dim}, false); }
    public Tensor sum(int[] dims, boolean keepdim) { return reduce(ReduceOp.SUM, dims, keepdim, 0, sumType()); }
    public Tensor prod() { return reduce(ReduceOp.PROD, null, false, 0, sumType()); }
    public Tensor prod(int dim, boolean keepdim) { return reduce(ReduceOp.PROD, new int[] {dim}, keepdim, 0, sumType()); }

    public Tensor mean() { return mean(null, false); }
    public Tensor mean(int dim) { return mean(new int[] {dim}, false); }

    /** Mean over dims (null = all); float tensors only, as in PyTorch. */
    public Tensor mean(int[] dims, boolean keepdim) {
        requireFloating("mean");
        int count = reducedCount(dims);
        return reduce(ReduceOp.SUM, dims, keepdim, 0, dtype()).div(count);
    }

    private int reducedCount(int[] dims) {
        if (shape.length == 0) return 1; // a 0-d tensor accepts dim 0 or -1 and holds one element
        int[] d = dims == null || dims.length == 0 ? allDims() : Shape.wrapDims("reduce", dims, shape.length);
        int n = 1;
        for (int k : d) n *= shape[k];
        return n;
    }

    private void requireFloating(String op) {
        if (!dtype().isFloating())
            throw new IllegalArgumentException(op + ": expects a floating tensor, got " + dtype().torchName() + " of shape " + Shape.str(shape));
    }

    /** Variance with Bessel's correction (correction=1 as torch's default unbiased=True). */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        requireFloating("var");
        return varFloat64(dims, correction, keepdim).to(dtype());
    }

    /**
     * The variance in float64, rounded to the tensor's dtype only at the end (after the sqrt for std): torch
     * accumulates float32 var/std in double, so rounding the sum of squares first was off by an ulp.
     */
    private Tensor varFloat64(int[] dims, int correction, boolean keepdim) {
        int n = reducedCount(dims);
        Tensor ss = reduce(ReduceOp.SUM_SQUARED_DEVIATION, dims, keepdim, 0, DType.FLOAT64);
        return ss.div(Math.max(0, n - correction)); // n - correction == 0 gives inf/nan, as torch
    }

    public Tensor var() { return var(null, 1, false); }

    public Tensor std(int[] dims, int correction, boolean keepdim) {
        requireFloating("std");
        return varFloat64(dims, correction, keepdim).sqrt().to(dtype());
    }

    public Tensor std() { return std(null, 1, false); }

    /** Largest value over dims (null = all), NaN propagating: torch.amax. */
    public Tensor amax(int[] dims, boolean keepdim) { return reduce(ReduceOp.AMAX, dims, keepdim, 0, dtype()); }

    public Tensor amin(int[] dims, boolean keepdim) { return reduce(ReduceOp.AMIN, dims, keepdim, 0, dtype()); }

    /** Largest value over all elements. */
    public Tensor max() {
        requireNonEmpty("max");
        return amax(null, false);
    }

    public Tensor min() {
        requireNonEmpty("min");
        return amin(null, false);
    }

    private void requireNonEmpty(String op) {
        if (numel() == 0) throw new IllegalArgumentException(op + ": tensor of shape " + Shape.str(shape) + " is empty; specify a dim or use an identity");
    }

    /** Values and int64 indices of the maxima along dim (first occurrence; NaN wins). */
    public ValuesIndices max(int dim, boolean keepdim) {
        int d = Shape.wrapDim("max", dim, shape.length);
        if (shape.length > 0 && shape[d] == 0) throw new IllegalArgumentException("max: dim " + dim + " of shape " + Shape.str(shape) + " is empty");
        Tensor[] r = backend().extremeWithIndex(true, this, d, keepdim);
        return new ValuesIndices(r[0], r[1]);
    }

    public ValuesIndices min(int dim, boolean keepdim) {
        int d = Shape.wrapDim("min", dim, shape.length);
        if (shape.length > 0 && shape[d] == 0) throw new IllegalArgumentException("min: dim " + dim + " of shape " + Shape.str(shape) + " is empty");
        Tensor[] r = backend().extremeWithIndex(false, this, d, keepdim);
        return new ValuesIndices(r[0], r[1]);
    }

    public Tensor argmax(int dim, boolean keepdim) { return max(dim, keepdim).indices(); }

    public Tensor argmin(int dim, boolean keepdim) { return min(dim, keepdim).indices(); }

    /** Index into the flattened tensor of its largest element. */
    public Tensor argmax() {
        requireNonEmpty("argmax");
        return flatten().argmax(0, false);
    }

    public Tensor argmin() {
        requireNonEmpty("argmin");
        return flatten().argmin(0, false);
    }

    public Tensor any() { return reduce(ReduceOp.ANY, null, false, 0, DType.BOOL); }
    public Tensor any(int dim, boolean keepdim) { return reduce(ReduceOp.ANY, new int[] {dim}, keepdim, 0, DType.BOOL); }
    public Tensor all() { return reduce(ReduceOp.ALL, null, false, 0, DType.BOOL); }
    public Tensor all(int dim, boolean keepdim) { return reduce(ReduceOp.ALL, new int[] {dim}, keepdim, 0, DType.BOOL); }

    public Tensor logsumexp(int[] dims, boolean keepdim) {
        requireFloating("logsumexp");
        return reduce(ReduceOp.LOGSUMEXP, dims, keepdim, 0, dtype());
    }

    /** Vector p-norm over dims (null = all); p may be +-infinity. */
    public Tensor norm(double p, int[] dims, boolean keepdim) {
        requireFloating("norm");
        return reduce(ReduceOp.NORM, dims, keepdim, p, dtype());
    }

    public Tensor norm() { return norm(2, null, false); }

    public Tensor softmax(int dim) {
        requireFloating("softmax");
        return backend().softmax(this, Shape.wrapDim("softmax", dim, shape.length), false);
    }

    public Tensor logSoftmax(int dim) {
        requireFloating("log_softmax");
        return backend().softmax(this, Shape.wrapDim("log_softmax", dim, shape.length), true);
    }

    public Tensor cumsum(int dim) {
        return backend().cumsum(this, Shape.wrapDim("cumsum", dim, shape.length), sumType());
    }

    // ------------------------------------------------------------------ linear algebra

    /** torch.matmul: 1-d vectors, 2-d matrices and broadcast batches of matrices. */
    public Tensor matmul(Tensor o) {
        if (shape.length == 0 || o.shape.length == 0)
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dim, got " + Shape.str(shape) + " and " + Shape.str(o.shape));
        if (dtype() != o.dtype())
            throw new IllegalArgumentException("matmul: dtypes differ: " + dtype().torchName() + " " + Shape.str(shape) + " and " + o.dtype().torchName() + " " + Shape.str(o.shape));
        Tensor a = shape.length == 1 ? unsqueeze(0) : this;
        Tensor b = o.shape.length == 1 ? o.unsqueeze(1) : o;
        int m = a.shape[a.dim() - 2], k = a.shape[a.dim() - 1], k2 = b.shape[b.dim() - 2], n = b.shape[b.dim() - 1];
        if (k != k2)
            throw new IllegalArgumentException("matmul: " + Shape.str(shape) + " x " + Shape.str(o.shape) + ": inner dims " + k + " != " + k2);
        int[] batchA = Arrays.copyOf(a.shape, a.dim() - 2), batchB = Arrays.copyOf(b.shape, b.dim() - 2);
        int[] batch = Shape.broadcast("matmul", batchA, batchB);
        int nb = Shape.numel(batch);
        Tensor a3 = a.expand(concat(batch, m, k)).reshapeBatch(nb, m, k);
        Tensor b3 = b.expand(concat(batch, k, n)).reshapeBatch(nb, k, n);
        Tensor c = backend().bmm(a3, b3); // [nb, m, n]
        int[] outShape = concat(batch, m, n);
        Tensor r = c.view(outShape);
        if (shape.length == 1) r = r.squeeze(-2);
        if (o.shape.length == 1) r = r.squeeze(-1);
        return r;
    }

    /** View of [..., m, k] as [nb, m, k], keeping broadcast (stride 0) batch dims a view when possible. */
    private Tensor reshapeBatch(int nb, int m, int k) {
        int[] s = {nb, m, k};
        int[] st = viewStrides(s);
        if (st != null) return new Tensor(storage, s, st, offset, device);
        return contiguous().view(s);
    }

    private static int[] concat(int[] head, int... tail) {
        int[] r = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, r, head.length, tail.length);
        return r;
    }

    // ------------------------------------------------------------------ indexing

    private static Tensor indexTensor(String op, Tensor index) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32)
            throw new IllegalArgumentException(op + ": index must be int64 or int32, got " + index.dtype().torchName() + " of shape " + Shape.str(index.shape));
        return index.to(DType.INT64);
    }

    /** Slices along dim at the given 1-d indices (torch.index_select). */
    public Tensor indexSelect(int dim, Tensor index) {
        int d = Shape.wrapDim("index_select", dim, shape.length);
        Tensor idx = indexTensor("index_select", index);
        if (idx.dim() > 1) throw new IllegalArgumentException("index_select: index must be 1-d, got shape " + Shape.str(idx.shape));
        Tensor flat = idx.reshape(-1);
        long[] iv = flat.toLongArray();
        int size = shape.length == 0 ? 1 : shape[d];
        for (long v : iv)
            if (v < 0 || v >= size) // torch.index_select refuses negative indices
                throw new IndexOutOfBoundsException("index_select: index " + v + " out of range for dim " + dim + " of size " + size + " (shape " + Shape.str(shape) + ")");
        if (shape.length == 0) return copy();
        int[] os = shape.clone();
        os[d] = iv.length;
        Tensor out = backend().zeros(device, os, dtype());
        // a strided source picked many times over (grouping neighbours) is cheaper made contiguous once
        Tensor x = isContiguous() || (long) iv.length * 4 < size ? this : contiguous();
        if (x.isContiguous() && device.equals(Device.CPU)) {
            // slices of a contiguous tensor are blocks of `inner` elements: one arraycopy each instead of a view per index
            int outer = 1, inner = 1;
            for (int i = 0; i < d; i++) outer *= shape[i];
            for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
            Object src = x.storage.array(), dst = out.storage.array();
            for (int o = 0, q = 0; o < outer; o++) {
                int base = x.offset + o * size * inner;
                for (long v : iv) {
                    System.arraycopy(src, base + (int) v * inner, dst, q, inner);
                    q += inner;
                }
            }
            return out;
        }
        for (int i = 0; i < iv.length; i++) out.select(d, i).copy_(select(d, (int) (iv[i] < 0 ? iv[i] + size : iv[i])));
        return out;
    }

    /**
     * x with source's slices along dim added at the given 1-d indices (torch.index_add): out[.., index[i], ..] +=
     * source[.., i, ..]; repeated indices add up, in increasing i. source has x's shape with index.numel() along dim.
     */
    public Tensor indexAdd(int dim, Tensor index, Tensor source) {
        int d = Shape.wrapDim("index_add", dim, Math.max(shape.length, 1));
        Tensor idx = indexTensor("index_add", index);
        if (idx.dim() > 1) throw new IllegalArgumentException("index_add: index must be 1-d, got shape " + Shape.str(idx.shape));
        int n = idx.numel();
        int[] expected = shape.length == 0 ? new int[] {n} : shape.clone();
        if (shape.length > 0) expected[d] = n;
        boolean scalarCase = shape.length == 0 && source.numel() == n && source.dim() <= 1;
        if (!scalarCase && !Arrays.equals(source.shape, expected))
            throw new IllegalArgumentException("index_add: source of shape " + Shape.str(source.shape) + " does not match input " + Shape.str(shape)
                    + " with " + n + " indices along dim " + dim + " (expected " + Shape.str(expected) + ")");
        long[] iv = idx.reshape(-1).toLongArray();
        int size = shape.length == 0 ? 1 : shape[d];
        for (long v : iv)
            if (v < 0 || v >= size)
                throw new IndexOutOfBoundsException("index_add: index " + v + " out of range for dim " + dim + " of size " + size + " (shape " + Shape.str(shape) + ")");
        DType dt = dtype();
        if (shape.length > 0 && device.equals(Device.CPU) && source.device.equals(Device.CPU) && (dt == DType.FLOAT32 || dt == DType.FLOAT64)) {
            Tensor out = backend().copy(this, dt);
            Tensor src = source.to(dt).contiguous();
            int outer = 1, inner = 1;
            for (int i = 0; i < d; i++) outer *= shape[i];
            for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
            int so = src.offset;
            // the same element order as scatter_add over the expanded index: per target, contributions in increasing i
            if (dt == DType.FLOAT32) {
                float[] oa = out.storage.floats(), sa = src.storage.floats();
                for (int o = 0, q = so; o < outer; o++) {
                    int base = o * size * inner;
                    for (long v : iv) {
                        int t = base + (int) v * inner;
                        for (int k = 0; k < inner; k++) oa[t + k] += sa[q + k];
                        q += inner;
                    }
                }
            } else {
                double[] oa = out.storage.doubles(), sa = src.storage.doubles();
                for (int o = 0, q = so; o < outer; o++) {
                    int base = o * size * inner;
                    for (long v : iv) {
                        int t = base + (int) v * inner;
                        for (int k = 0; k < inner; k++) oa[t + k] += sa[q + k];
                        q += inner;
                    }
                }
            }
            return out;
        }
        if (shape.length == 0) return scatterAdd(0, idx.reshape(-1), source.reshape(-1));
        int[] along = new int[shape.length];
        Arrays.fill(along, 1);
        along[d] = n;
        return scatterAdd(d, idx.reshape(along).expand(source.shape), source);
    }

    /** out[i][j][k] = x[i][index[i][j][k]][k] for dim 1 (torch.gather). */
    public Tensor gather(int dim, Tensor index) {
        int d = Shape.wrapDim("gather", dim, shape.length);
        Tensor idx = indexTensor("gather", index);
        checkScatterShapes("gather", d, idx, null, this);
        checkIndexRange("gather", idx, false, shape.length == 0 ? 1 : shape[d]);
        return backend().gather(this, d, idx);
    }

    private void checkScatterShapes(String op, int d, Tensor idx, Tensor src, Tensor self) {
        if (idx.dim() != Math.max(self.dim(), 0) && !(self.dim() == 0 && idx.dim() <= 1))
            throw new IllegalArgumentException(op + ": index of shape " + Shape.str(idx.shape) + " must have as many dims as the input's " + Shape.str(self.shape));
        for (int i = 0; i < idx.dim(); i++) {
            if (i != d && idx.shape[i] > self.shape[i])
                throw new IllegalArgumentException(op + ": index of shape " + Shape.str(idx.shape) + " is larger than the input's " + Shape.str(self.shape) + " at dim " + i);
            if (src != null && idx.shape[i] > src.shape[i])
                throw new IllegalArgumentException(op + ": index of shape " + Shape.str(idx.shape) + " is larger than src's " + Shape.str(src.shape) + " at dim " + i);
        }
    }

    /** Index values must lie in [0, size), or in [-size, size) where negative indices count from the end (index_put). */
    private static void checkIndexRange(String op, Tensor idx, boolean allowNegative, int size) {
        if (idx.numel() == 0) return;
        long lo, hi;
        if (idx.dtype() == DType.INT64 && idx.isContiguous()) { // one pass over the array instead of two reductions
            long[] a = idx.storage.longs();
            lo = Long.MAX_VALUE;
            hi = Long.MIN_VALUE;
            for (int i = idx.offset, e = idx.offset + idx.numel(); i < e; i++) {
                lo = Math.min(lo, a[i]);
                hi = Math.max(hi, a[i]);
            }
        } else {
            lo = (long) idx.amin(null, false).item();
            hi = (long) idx.amax(null, false).item();
        }
        if (lo < (allowNegative ? -size : 0) || hi >= size)
            throw new IndexOutOfBoundsException(op + ": index values in [" + lo + ", " + hi + "] out of range for a dim of size " + size
                    + (allowNegative ? "" : " (negative indices are not allowed)"));
    }

    /** x with x[index[i][j]][j] = src[i][j] for dim 0 (torch.scatter). */
    public Tensor scatter(int dim, Tensor index, Tensor src) { return scatterReduce(dim, index, src, "none", true); }

    /** Scatter of one value. */
    public Tensor scatter(int dim, Tensor index, double value) {
        return scatterReduce(dim, index, full(value, dtype(), index.shape), "none", true);
    }

    /** x with src added at the indexed positions (torch.scatter_add). */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return scatterReduce(dim, index, src, "sum", true); }

    /**
     * torch.scatter_reduce: reduce is "sum", "prod", "mean", "amax", "amin" (or "none" for plain scatter);
     * includeSelf=false ignores x's values at the positions that receive at least one element.
     */
    public Tensor scatterReduce(int dim, Tensor index, Tensor src, String reduce, boolean includeSelf) {
        int d = Shape.wrapDim("scatter", dim, shape.length);
        Tensor idx = indexTensor("scatter", index);
        if (!List.of("none", "sum", "prod", "mean", "amax", "amin").contains(reduce))
            throw new IllegalArgumentException("scatter_reduce: reduce must be one of sum, prod, mean, amax, amin; got '" + reduce + "'");
        if (src.dim() != idx.dim())
            throw new IllegalArgumentException("scatter: src of shape " + Shape.str(src.shape) + " and index of shape " + Shape.str(idx.shape) + " must have the same number of dims");
        checkScatterShapes("scatter", d, idx, src, this);
        checkIndexRange("scatter", idx, false, shape.length == 0 ? 1 : shape[d]);
        return backend().scatterReduce(this, d, idx, src.to(dtype()), reduce, includeSelf);
    }

    /**
     * torch_scatter's scatter_max (used for dynamic voxel max pooling): groups src along dim by index into
     * dimSize slots; empty slots get value 0 and argmax src.size(dim). index must have src's shape.
     */
    public static ValuesIndices scatterMax(Tensor src, int dim, Tensor index, int dimSize) {
        int d = Shape.wrapDim("scatter_max", dim, src.dim());
        Tensor idx = indexTensor("scatter_max", index);
        if (!Arrays.equals(idx.shape, src.shape))
            throw new IllegalArgumentException("scatter_max: index shape " + Shape.str(idx.shape) + " must equal src shape " + Shape.str(src.shape));
        if (dimSize < 0) throw new IllegalArgumentException("scatter_max: dimSize must be >= 0, got " + dimSize);
        checkIndexRange("scatter_max", idx, false, dimSize);
        Tensor[] r = src.backend().scatterMax(src, d, idx, dimSize);
        return new ValuesIndices(r[0], r[1]);
    }

    /**
     * x[indices[0], indices[1], ...] = values (or += with accumulate), as torch.index_put: the index tensors
     * (int64, or a single bool mask) address the leading dims; values broadcast to the indexed shape.
     */
    public Tensor indexPut(Tensor[] indices, Tensor values, boolean accumulate) {
        Tensor[] idx = indices;
        if (indices.length == 1 && indices[0].dtype() == DType.BOOL) {
            Tensor mask = indices[0];
            if (mask.dim() > dim() || !Arrays.equals(mask.shape, Arrays.copyOf(shape, mask.dim())))
                throw new IllegalArgumentException("index_put: bool mask of shape " + Shape.str(mask.shape) + " must match the leading dims of " + Shape.str(shape));
            Tensor nz = mask.nonzero();
            idx = new Tensor[mask.dim()];
            for (int i = 0; i < mask.dim(); i++) idx[i] = nz.select(1, i);
        }
        if (idx.length == 0 || idx.length > shape.length)
            throw new IllegalArgumentException("index_put: " + idx.length + " index tensors for a tensor of shape " + Shape.str(shape));
        int[][] shapes = new int[idx.length][];
        Tensor[] li = new Tensor[idx.length];
        for (int i = 0; i < idx.length; i++) {
            li[i] = indexTensor("index_put", idx[i]);
            shapes[i] = li[i].shape;
            checkIndexRange("index_put", li[i], true, shape[i]);
        }
        int[] ishape = Shape.broadcast("index_put", shapes);
        for (int i = 0; i < li.length; i++) li[i] = li[i].expand(ishape);
        int[] target = concat(ishape, Arrays.copyOfRange(shape, idx.length, shape.length));
        try {
            Shape.broadcast("index_put", target, values.shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("index_put: values of shape " + Shape.str(values.shape) + " do not broadcast to the indexed shape " + Shape.str(target));
        }
        Tensor v = values.to(dtype()).expand(target);
        return backend().indexPut(this, li, v, accumulate);
    }

    /** Coordinates of the nonzero elements, [count, rank] int64. */
    public Tensor nonzero() { return backend().nonzero(this); }

    /** The elements where mask (broadcast) is true, as a 1-d tensor. */
    public Tensor maskedSelect(Tensor mask) {
        if (mask.dtype() != DType.BOOL)
            throw new IllegalArgumentException("masked_select: mask must be bool, got " + mask.dtype().torchName());
        int[] out = Shape.broadcast("masked_select", shape, mask.shape);
        return backend().maskedSelect(expand(out), mask.expand(out));
    }

    /** Concatenation along an existing dim; all other dims must match. */
    public static Tensor cat(int dim, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("cat: expects at least one tensor");
        Tensor ref = null;
        for (Tensor x : xs) if (!(x.dim() == 1 && x.numel() == 0)) { ref = x; break; } // torch skips legacy empty 1-d
        for (Tensor x : xs) x.requireDims("cat");
        if (ref == null) { // all legacy empties: still the promoted dtype, as torch.cat([int64 empty, float32 empty]) is float32
            DType dt = xs[0].dtype();
            for (Tensor x : xs) dt = DType.promote(dt, x.dtype());
            return xs[0].backend().copy(xs[0], dt);
        }
        int d = Shape.wrapDim("cat", dim, ref.dim());
        DType dt = xs[0].dtype();
        int total = 0;
        for (Tensor x : xs) {
            dt = DType.promote(dt, x.dtype());
            if (x.dim() == 1 && x.numel() == 0) continue;
            if (x.dim() != ref.dim())
                throw new IllegalArgumentException("cat: tensors must have the same rank: " + Shape.str(ref.shape) + " vs " + Shape.str(x.shape));
            for (int i = 0; i < x.dim(); i++)
                if (i != d && x.shape[i] != ref.shape[i])
                    throw new IllegalArgumentException("cat: sizes must match except in dim " + dim + ": " + Shape.str(ref.shape) + " vs " + Shape.str(x.shape));
            total += x.shape[d];
        }
        int[] os = ref.shape.clone();
        os[d] = total;
        Tensor out = ref.backend().zeros(ref.device, os, dt);
        int at = 0;
        for (Tensor x : xs) {
            if (x.dim() == 1 && x.numel() == 0) continue;
            out.narrow(d, at, x.shape[d]).copy_(x);
            at += x.shape[d];
        }
        return out;
    }

    /** Joins tensors of equal shape along a new dim. */
    public static Tensor stack(int dim, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("stack: expects at least one tensor");
        Tensor[] u = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (!Arrays.equals(xs[i].shape, xs[0].shape))
                throw new IllegalArgumentException("stack: all tensors must have the same shape: " + Shape.str(xs[0].shape) + " vs " + Shape.str(xs[i].shape) + " at position " + i);
            u[i] = xs[i].unsqueeze(dim);
        }
        return cat(dim, u);
    }

    /** Views of consecutive pieces of splitSize along dim (the last may be smaller). */
    public List<Tensor> split(int splitSize, int dim) {
        int d = Shape.wrapDim("split", dim, requireDims("split"));
        if (splitSize <= 0) throw new IllegalArgumentException("split: split size must be positive, got " + splitSize);
        List<Tensor> out = new ArrayList<>();
        for (int s = 0; s < shape[d] || (s == 0 && shape[d] == 0); s += splitSize) {
            out.add(narrow(d, s, Math.min(splitSize, shape[d] - s)));
            if (shape[d] == 0) break;
        }
        return out;
    }

    /** Views of the given sizes along dim; they must add up to the dim's size. */
    public List<Tensor> split(int[] sizes, int dim) {
        int d = Shape.wrapDim("split", dim, requireDims("split"));
        int sum = 0;
        for (int s : sizes) sum += s;
        if (sum != shape[d])
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum + ", not the size " + shape[d] + " of dim " + dim);
        List<Tensor> out = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            out.add(narrow(d, at, s));
            at += s;
        }
        return out;
    }

    /** At most n views of equal size (ceil(size/n)) along dim, as torch.chunk. */
    public List<Tensor> chunk(int n, int dim) {
        if (n <= 0) throw new IllegalArgumentException("chunk: number of chunks must be positive, got " + n);
        int d = Shape.wrapDim("chunk", dim, requireDims("chunk"));
        if (shape[d] == 0) return split(new int[n], d); // torch.chunk gives n empty chunks of an empty dim
        int size = (shape[d] + n - 1) / n;
        return split(size, d);
    }

    // ------------------------------------------------------------------ sorting

    /** Sort along dim: values and int64 indices; NaN sorts as the largest value. */
    public ValuesIndices sort(int dim, boolean descending, boolean stable) {
        int d = Shape.wrapDim("sort", dim, shape.length);
        if (shape.length == 0) return new ValuesIndices(copy(), zeros(DType.INT64));
        Tensor moved = movedim(d, -1).contiguous();
        Tensor[] r = backend().sortLastDim(moved, descending, stable);
        return new ValuesIndices(r[0].movedim(-1, d).contiguous(), r[1].movedim(-1, d).contiguous());
    }

    public ValuesIndices sort(int dim, boolean descending) { return sort(dim, descending, false); }

    public Tensor argsort(int dim, boolean descending) { return sort(dim, descending, true).indices(); }

    /** The k largest (or smallest) along dim, sorted when asked. */
    public ValuesIndices topk(int k, int dim, boolean largest, boolean sorted) {
        int d = Shape.wrapDim("topk", dim, shape.length);
        int size = shape.length == 0 ? 1 : shape[d];
        if (k < 0 || k > size)
            throw new IllegalArgumentException("topk: k=" + k + " out of range for dim " + dim + " of size " + size + " (shape " + Shape.str(shape) + ")");
        if (shape.length == 0) return new ValuesIndices(copy(), zeros(DType.INT64));
        Tensor moved = movedim(d, -1).contiguous();
        Tensor[] r = backend().topkLastDim(moved, k, largest, sorted);
        return new ValuesIndices(r[0].movedim(-1, d).contiguous(), r[1].movedim(-1, d).contiguous());
    }

    /** torch.unique(sorted=True, return_inverse=True, return_counts=True) on the flattened tensor. */
    public UniqueResult unique() {
        Tensor[] r = backend().unique(this);
        return new UniqueResult(r[0], r[1], r[2]);
    }

    // ------------------------------------------------------------------ records and printing

    /** Values with the int64 indices they came from (max/min along a dim, sort, topk, scatter_max). */
    public record ValuesIndices(Tensor values, Tensor indices) {}

    /** Sorted unique values, the index of each input element among them, and how often each occurs. */
    public record UniqueResult(Tensor values, Tensor inverse, Tensor counts) {}

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("tensor(");
        int n = numel();
        if (n <= 64) {
            sb.append(dtype().isFloating() ? Arrays.toString(toDoubleArray()) : Arrays.toString(toLongArray()));
        } else {
            sb.append(n).append(" elements");
        }
        return sb.append(", shape=").append(Shape.str(shape)).append(", dtype=").append(dtype().torchName())
                .append(device.equals(Device.CPU) ? "" : ", device=" + device).append(')').toString();
    }
}
