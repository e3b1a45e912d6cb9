package fuse3d.sparse.conv;

import fuse3d.tensor.cpu.Parallel;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.util.Arrays;

/**
 * The input-output index pairs of one sparse convolution, per kernel offset (spconv's indice pairs, a kernel
 * map): output row {@code out} receives {@code W[k] · features[in]} for every pair (in, out) of offset k.
 *
 * <p>Offsets are numbered row-major over the kernel ({@code k = (kz * kH + ky) * kW + kx} in 3-d). The
 * geometry is PyTorch's cross-correlation: output site o reads input site {@code o * stride - padding +
 * k * dilation}. A submanifold rulebook keeps the input sites as outputs and centres the kernel on them
 * (input {@code o + (k - (kernel - 1) / 2) * dilation}; padding and stride play no part, as in spconv); a
 * regular one produces every output site whose receptive field holds an active input, sorted by (batch,
 * spatial...); an inverse one is a regular rulebook with inputs and outputs swapped, which maps a
 * downsampled tensor back onto the sites it came from.
 *
 * <p>Within one offset every output row appears at most once, so the scatter of one offset may run in
 * parallel over its pairs.
 */
public final class Rulebook {
    /** How the output sites were chosen. */
    public enum Kind { SUBMANIFOLD, REGULAR, INVERSE }

    final Kind kind;
    final int[] kernelSize, stride, padding, dilation;
    final int kernelVolume;
    /** Pairs of offset k are [pairStart[k], pairStart[k + 1]) in pairIn/pairOut. */
    final int[] pairStart;
    final int[] pairIn, pairOut;
    /** An offset whose pairs are (i, i) for every row i in order (a submanifold kernel's centre), or -1. */
    final int identityOffset;
    final int numIn, numOut;
    final int[] inIndices, outIndices;
    final int[] inSpatialShape, outSpatialShape;
    final int batchSize;

    private Rulebook(Kind kind, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int[] pairStart, int[] pairIn,
                     int[] pairOut, int identityOffset, int numIn, int numOut, int[] inIndices, int[] outIndices,
                     int[] inSpatialShape, int[] outSpatialShape, int batchSize) {
        this.kind = kind;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.kernelVolume = pairStart.length - 1;
        this.pairStart = pairStart;
        this.pairIn = pairIn;
        this.pairOut = pairOut;
        this.identityOffset = identityOffset;
        this.numIn = numIn;
        this.numOut = numOut;
        this.inIndices = inIndices;
        this.outIndices = outIndices;
        this.inSpatialShape = inSpatialShape;
        this.outSpatialShape = outSpatialShape;
        this.batchSize = batchSize;
    }

    // ------------------------------------------------------------------ building

    /**
     * The submanifold rulebook by hash look-ups, one per site and offset before the centre: the plain
     * reference that {@link #submanifold} is tested against (and its fallback for grids too large to pack).
     */
    static Rulebook submanifoldReference(SparseTensor x, int[] kernelSize, int[] dilation) {
        String op = "SubMConv" + x.ndim() + "d";
        int nd = x.ndim();
        checkTuple(op, "kernel_size", kernelSize, nd, 1);
        checkTuple(op, "dilation", dilation, nd, 1);
        for (int k : kernelSize)
            if (k % 2 == 0)
                throw new IllegalArgumentException(op + ": submanifold convolution needs odd kernel sizes, got " + Arrays.toString(kernelSize));
        int n = x.numActive();
        int[] shape = x.spatialShapeRef();
        int[] ind = x.indicesArray();
        int vol = volume(kernelSize);
        int centre = (vol - 1) / 2;
        int w = nd + 1;
        int[][] offsets = offsetVectors(kernelSize, dilation, true);
        CoordinateIndex index = x.coordinateIndex();
        // neighbour row of every input at each offset before the centre, -1 when inactive or off the grid
        int[][] nbr = new int[centre][n];
        Parallel.forWork(n, (long) n * centre * 8, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int o = i * w;
                for (int k = 0; k < centre; k++) {
                    int[] off = offsets[k];
                    long key = ind[o];
                    boolean inside = true;
                    for (int d = 0; d < nd; d++) {
                        int c = ind[o + 1 + d] + off[d];
                        if (c < 0 || c >= shape[d]) {
                            inside = false;
                            break;
                        }
                        key = key * shape[d] + c;
                    }
                    nbr[k][i] = inside ? index.row(key) : -1;
                }
            }
        });
        int[] count = new int[vol];
        for (int k = 0; k < centre; k++) {
            int c = 0;
            for (int i = 0; i < n; i++) if (nbr[k][i] >= 0) c++;
            count[k] = c;
            count[vol - 1 - k] = c;
        }
        count[centre] = n;
        int[] start = prefix(count);
        int[] pin = new int[start[vol]], pout = new int[start[vol]];
        for (int k = 0; k < centre; k++) {
            int a = start[k], b = start[vol - 1 - k];
            int[] row = nbr[k];
            for (int i = 0; i < n; i++) {
                int j = row[i];
                if (j < 0) continue;
                pin[a] = j;             // out i reads its neighbour j through offset k
                pout[a++] = i;
                pin[b] = i;             // and j reads i through the mirrored offset
                pout[b++] = j;
            }
        }
        for (int i = 0, a = start[centre]; i < n; i++, a++) {
            pin[a] = i;
            pout[a] = i;
        }
        int[] ones = new int[nd];
        Arrays.fill(ones, 1);
        return new Rulebook(Kind.SUBMANIFOLD, kernelSize.clone(), ones, centrePadding(kernelSize, dilation), dilation.clone(),
                start, pin, pout, centre, n, n, ind, ind, shape, shape, x.batchSize());
    }

    /**
     * The regular rulebook by one hash map of output sites, input by input: the plain reference that
     * {@link #regular} is tested against.
     */
    static Rulebook regularReference(SparseTensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation) {
        String op = "SparseConv" + x.ndim() + "d";
        int nd = x.ndim();
        checkTuple(op, "kernel_size", kernelSize, nd, 1);
        checkTuple(op, "stride", stride, nd, 1);
        checkTuple(op, "padding", padding, nd, 0);
        checkTuple(op, "dilation", dilation, nd, 1);
        int[] inShape = x.spatialShapeRef();
        int[] outShape = convOutputShape(op, inShape, kernelSize, stride, padding, dilation);
        int n = x.numActive();
        int[] ind = x.indicesArray();
        int vol = volume(kernelSize);
        int w = nd + 1;
        int[][] kernelPos = offsetVectors(kernelSize, dilation, false);  // k * dilation per dim
        Long2IntOpenHashMap outId = new Long2IntOpenHashMap(Math.max(16, n * 2), 0.5f);
        outId.defaultReturnValue(-1);
        IntArrayList[] ins = new IntArrayList[vol];
        IntArrayList[] outs = new IntArrayList[vol];
        for (int k = 0; k < vol; k++) {
            ins[k] = new IntArrayList();
            outs[k] = new IntArrayList();
        }
        for (int i = 0; i < n; i++) {
            int o = i * w;
            for (int k = 0; k < vol; k++) {
                int[] kp = kernelPos[k];
                long key = ind[o];
                boolean hit = true;
                for (int d = 0; d < nd; d++) {
                    // input c = out * s - p + k * dil  =>  out = (c + p - k * dil) / s when divisible
                    int t = ind[o + 1 + d] + padding[d] - kp[d];
                    if (t < 0 || t % stride[d] != 0 || t / stride[d] >= outShape[d]) {
                        hit = false;
                        break;
                    }
                    key = key * outShape[d] + t / stride[d];
                }
                if (!hit) continue;
                int id = outId.putIfAbsent(key, outId.size());
                ins[k].add(i);
                outs[k].add(id == -1 ? outId.size() - 1 : id);
            }
        }
        int m = outId.size();
        long[] keyOfId = new long[m];
        for (var e : outId.long2IntEntrySet()) keyOfId[e.getIntValue()] = e.getLongKey();
        long[] sorted = keyOfId.clone();
        Arrays.sort(sorted);
        int[] rank = new int[m];
        for (int id = 0; id < m; id++) rank[id] = Arrays.binarySearch(sorted, keyOfId[id]);
        int[] outIndices = new int[m * w];
        for (int r = 0; r < m; r++) {
            long key = sorted[r];
            for (int d = nd - 1; d >= 0; d--) {
                outIndices[r * w + 1 + d] = (int) (key % outShape[d]);
                key /= outShape[d];
            }
            outIndices[r * w] = (int) key;
        }
        int[] count = new int[vol];
        for (int k = 0; k < vol; k++) count[k] = ins[k].size();
        int[] start = prefix(count);
        int[] pin = new int[start[vol]], pout = new int[start[vol]];
        for (int k = 0; k < vol; k++) {
            int a = start[k];
            for (int p = 0; p < count[k]; p++) {
                pin[a + p] = ins[k].getInt(p);
                pout[a + p] = rank[outs[k].getInt(p)];
            }
        }
        return new Rulebook(Kind.REGULAR, kernelSize.clone(), stride.clone(), padding.clone(), dilation.clone(), start, pin, pout,
                -1, n, m, ind, outIndices, inShape, outShape, x.batchSize());
    }

    /**
     * The submanifold rulebook of {@code x}: outputs are x's own sites. Each neighbour hit (i, j) at offset k
     * is also the hit (j, i) at the mirrored offset K-1-k, so only the offsets before the centre are searched.
     *
     * <p>The search is a merge rather than a hash probe per site: the sites' linear keys sorted once, a
     * neighbour at offset k has key {@code key + delta_k}, so walking the sorted keys with a second cursor finds
     * every hit of one offset in one sequential pass (a hash probe per site and offset misses the cache on
     * KITTI-sized inputs). A key that matches only by wrapping across a grid edge is rejected by a bounds check.
     *
     * @throws IllegalArgumentException for an even kernel size (no centre)
     */
    public static Rulebook submanifold(SparseTensor x, int[] kernelSize, int[] dilation) {
        String op = "SubMConv" + x.ndim() + "d";
        int nd = x.ndim();
        checkTuple(op, "kernel_size", kernelSize, nd, 1);
        checkTuple(op, "dilation", dilation, nd, 1);
        for (int k : kernelSize)
            if (k % 2 == 0)
                throw new IllegalArgumentException(op + ": submanifold convolution needs odd kernel sizes, got " + Arrays.toString(kernelSize));
        int n = x.numActive();
        int[] shape = x.spatialShapeRef();
        long[] sorted = sortedPackedKeys(x);
        if (sorted == null) return submanifoldReference(x, kernelSize, dilation);
        int rowBits = rowBits(n);
        long rowMask = (1L << rowBits) - 1;
        int[] ind = x.indicesArray();
        int vol = volume(kernelSize), centre = (vol - 1) / 2, w = nd + 1;
        int[][] offsets = offsetVectors(kernelSize, dilation, true);
        long[] linStride = linearStrides(shape);
        int[][] hitIn = new int[centre][], hitOut = new int[centre][];
        int[] count = new int[vol];
        Parallel.forWork(centre, (long) n * centre * 4, (lo, hi) -> {
            int[] bufIn = new int[n], bufOut = new int[n];
            for (int k = lo; k < hi; k++) {
                int[] off = offsets[k];
                long delta = 0;
                for (int d = 0; d < nd; d++) delta += off[d] * linStride[d];
                int c = 0, j = 0;
                for (int a = 0; a < n; a++) {
                    long target = (sorted[a] >>> rowBits) + delta;
                    while (j < n && (sorted[j] >>> rowBits) < target) j++;
                    if (j == n) break;
                    if ((sorted[j] >>> rowBits) != target) continue;
                    int i = (int) (sorted[a] & rowMask);
                    boolean inside = true;
                    for (int d = 0; d < nd && inside; d++) {
                        int v = ind[i * w + 1 + d] + off[d];
                        inside = v >= 0 && v < shape[d];
                    }
                    if (!inside) continue;
                    bufIn[c] = (int) (sorted[j] & rowMask); // out i reads its neighbour through offset k
                    bufOut[c++] = i;
                }
                hitIn[k] = Arrays.copyOf(bufIn, c);
                hitOut[k] = Arrays.copyOf(bufOut, c);
            }
        });
        for (int k = 0; k < centre; k++) {
            count[k] = hitIn[k].length;
            count[vol - 1 - k] = hitIn[k].length;
        }
        count[centre] = n;
        int[] start = prefix(count);
        int[] pin = new int[start[vol]], pout = new int[start[vol]];
        for (int k = 0; k < centre; k++) {
            int c = count[k];
            System.arraycopy(hitIn[k], 0, pin, start[k], c);
            System.arraycopy(hitOut[k], 0, pout, start[k], c);
            // and the neighbour reads i through the mirrored offset
            System.arraycopy(hitOut[k], 0, pin, start[vol - 1 - k], c);
            System.arraycopy(hitIn[k], 0, pout, start[vol - 1 - k], c);
        }
        for (int i = 0, a = start[centre]; i < n; i++, a++) {
            pin[a] = i;
            pout[a] = i;
        }
        int[] ones = new int[nd];
        Arrays.fill(ones, 1);
        return new Rulebook(Kind.SUBMANIFOLD, kernelSize.clone(), ones, centrePadding(kernelSize, dilation), dilation.clone(),
                start, pin, pout, centre, n, n, ind, ind, shape, shape, x.batchSize());
    }

    /**
     * The regular (possibly strided) rulebook of {@code x}: output sites are all sites of the output grid
     * ({@code (in + 2p - d(k-1) - 1) / s + 1} per dim) that see at least one active input, in (batch,
     * spatial...) order.
     *
     * <p>Built without a shared hash map: each input finds, per dim, the kernel taps that land on an output
     * coordinate and writes the output key of every combination (inputs in parallel); the pairs, numbered per
     * offset in input order, are sorted by (output key, pair number), so one pass over the sorted list yields
     * the output sites in order and each pair's output row.
     *
     * <p>When the output grid is small enough next to the input (up to {@link #BITMAP_BITS_PER_SITE} bits per
     * active input site), {@link #regularByBitmap} builds the same rulebook without a sort; otherwise this
     * sort-based construction runs.
     */
    public static Rulebook regular(SparseTensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation) {
        Rulebook r = regularByBitmap(x, kernelSize, stride, padding, dilation);
        return r != null ? r : regularBySort(x, kernelSize, stride, padding, dilation);
    }

    /** Output-grid bits per active input site up to which {@link #regularByBitmap} is used. */
    static final long BITMAP_BITS_PER_SITE = 512;
    /** The largest output grid (batch included) that {@link #regularByBitmap} marks in a bitmap. */
    static final long BITMAP_MAX_BITS = 1L << 28;
    /** Inputs per work item of {@link #regularByBitmap} (fixed, so the pair order never depends on threads). */
    private static final int REGULAR_CHUNK = 4096;

    /**
     * The regular rulebook through a bitmap over the output grid, or null when that grid is too large for one
     * (then {@link #regular} sorts instead). Identical to {@link #regularReference}: pairs of one offset in input
     * row order, output sites in (batch, spatial...) order.
     *
     * <p>Inputs are cut into fixed chunks; each chunk counts its pairs per offset, the counts give every (chunk,
     * offset) its slice of the pair arrays, and a second pass writes each pair's input row and output key there
     * (both passes in parallel over chunks). Every output key sets one bit; a popcount prefix over the bitmap's
     * words then ranks the keys, so an output row is {@code rank[word] + bitCount(word & below)} and the output
     * sites are the set bits in order. No hash map and no sort: the work is linear in pairs plus grid / 64.
     */
    static Rulebook regularByBitmap(SparseTensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation) {
        String op = "SparseConv" + x.ndim() + "d";
        int nd = x.ndim();
        checkTuple(op, "kernel_size", kernelSize, nd, 1);
        checkTuple(op, "stride", stride, nd, 1);
        checkTuple(op, "padding", padding, nd, 0);
        checkTuple(op, "dilation", dilation, nd, 1);
        int[] inShape = x.spatialShapeRef();
        int[] outShape = convOutputShape(op, inShape, kernelSize, stride, padding, dilation);
        int n = x.numActive();
        int vol = volume(kernelSize), w = nd + 1;
        long outVolume = x.batchSize();
        for (int s : outShape) {
            if (outVolume > BITMAP_MAX_BITS) return null;
            outVolume *= s;
        }
        if (outVolume > BITMAP_MAX_BITS || outVolume > Math.max(1L << 16, BITMAP_BITS_PER_SITE * n)) return null;
        int[] ind = x.indicesArray();
        int chunks = (n + REGULAR_CHUNK - 1) / REGULAR_CHUNK;
        Taps table = new Taps(inShape, kernelSize, stride, padding, dilation, outShape);
        // pass 1: pairs per (chunk, offset)
        int[][] cnt = new int[chunks][vol];
        Parallel.forWork(chunks, (long) n * vol, (lo, hi) -> {
            Taps t = table.cursor();
            for (int c = lo; c < hi; c++) {
                int[] cc = cnt[c];
                for (int i = c * REGULAR_CHUNK, e = Math.min(n, i + REGULAR_CHUNK); i < e; i++) {
                    if (!t.find(ind, i * w)) continue;
                    do cc[t.offset(kernelSize)]++; while (t.next());
                }
            }
        });
        int[] count = new int[vol];
        for (int[] cc : cnt) for (int k = 0; k < vol; k++) count[k] += cc[k];
        int[] start = prefix(count);
        int total = start[vol];
        // cursor of (chunk, offset): the offset's start plus the pairs of earlier chunks, so rows stay in order
        int[][] cur = new int[chunks][vol];
        for (int k = 0; k < vol; k++) {
            int a = start[k];
            for (int c = 0; c < chunks; c++) {
                cur[c][k] = a;
                a += cnt[c][k];
            }
        }
        int[] pin = new int[total], pout = new int[total];
        long[] pairKey = new long[total];
        // pass 2: each pair's input row and output key in its slot
        Parallel.forWork(chunks, (long) n * vol, (lo, hi) -> {
            Taps t = table.cursor();
            for (int c = lo; c < hi; c++) {
                int[] cc = cur[c];
                for (int i = c * REGULAR_CHUNK, e = Math.min(n, i + REGULAR_CHUNK); i < e; i++) {
                    if (!t.find(ind, i * w)) continue;
                    do {
                        int a = cc[t.offset(kernelSize)]++;
                        pin[a] = i;
                        pairKey[a] = t.key(ind[i * w], outShape);
                    } while (t.next());
                }
            }
        });
        int words = (int) ((outVolume + 63) >>> 6);
        long[] bits = new long[words];
        for (int a = 0; a < total; a++) bits[(int) (pairKey[a] >>> 6)] |= 1L << pairKey[a];
        int[] rank = new int[words];
        int m = 0;
        for (int q = 0; q < words; q++) {
            rank[q] = m;
            m += Long.bitCount(bits[q]);
        }
        Parallel.forWork(total, total, (lo, hi) -> {
            for (int a = lo; a < hi; a++) {
                long key = pairKey[a];
                int q = (int) (key >>> 6);
                pout[a] = rank[q] + Long.bitCount(bits[q] & ((1L << key) - 1));
            }
        });
        int[] outIndices = new int[m * w];
        for (int q = 0, r = 0; q < words; q++) {
            long word = bits[q];
            while (word != 0) {
                long key = ((long) q << 6) + Long.numberOfTrailingZeros(word);
                word &= word - 1;
                for (int d = nd - 1; d >= 0; d--) {
                    outIndices[r * w + 1 + d] = (int) (key % outShape[d]);
                    key /= outShape[d];
                }
                outIndices[r * w] = (int) key;
                r++;
            }
        }
        return new Rulebook(Kind.REGULAR, kernelSize.clone(), stride.clone(), padding.clone(), dilation.clone(), start, pin, pout,
                -1, n, m, ind, outIndices, inShape, outShape, x.batchSize());
    }

    /**
     * The kernel taps of one input site that land on output sites. Per dim, which taps of a coordinate land
     * (t = c + p - k * dil divisible by s, t / s inside the output) depends on that coordinate alone, so a table
     * over every coordinate value, built once per rulebook, replaces the divisions per site and tap.
     */
    private static final class Taps {
        /** Per dim and coordinate value v: the tap count at [v], its taps' kernel indices and output coordinates at [v * maxTaps + t]. */
        final int[][] count, tapK, tapOut;
        final int maxTaps;
        final int[] base, taps, pos;

        Taps(int[] inShape, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int[] outShape) {
            int nd = inShape.length;
            int mt = 0;
            for (int k : kernelSize) mt = Math.max(mt, k);
            maxTaps = mt;
            count = new int[nd][];
            tapK = new int[nd][];
            tapOut = new int[nd][];
            for (int d = 0; d < nd; d++) {
                count[d] = new int[inShape[d]];
                tapK[d] = new int[inShape[d] * mt];
                tapOut[d] = new int[inShape[d] * mt];
                for (int v = 0; v < inShape[d]; v++) {
                    int c = 0;
                    for (int kd = 0; kd < kernelSize[d]; kd++) {
                        int t = v + padding[d] - kd * dilation[d];
                        if (t < 0 || t % stride[d] != 0 || t / stride[d] >= outShape[d]) continue;
                        tapK[d][v * mt + c] = kd;
                        tapOut[d][v * mt + c++] = t / stride[d];
                    }
                    count[d][v] = c;
                }
            }
            base = new int[nd];
            taps = new int[nd];
            pos = new int[nd];
        }

        /** A cursor of its own over the shared tables (one per thread). */
        private Taps(Taps t) {
            count = t.count;
            tapK = t.tapK;
            tapOut = t.tapOut;
            maxTaps = t.maxTaps;
            base = new int[t.base.length];
            taps = new int[t.base.length];
            pos = new int[t.base.length];
        }

        Taps cursor() { return new Taps(this); }

        /** Finds the taps of the site at {@code ind[o]}; false when it feeds no output. Positions the odometer at the first combination. */
        boolean find(int[] ind, int o) {
            for (int d = 0; d < taps.length; d++) {
                int v = ind[o + 1 + d], c = count[d][v];
                if (c == 0) return false;
                taps[d] = c;
                base[d] = v * maxTaps;
                pos[d] = 0;
            }
            return true;
        }

        int offset(int[] kernelSize) {
            int k = 0;
            for (int d = 0; d < taps.length; d++) k = k * kernelSize[d] + tapK[d][base[d] + pos[d]];
            return k;
        }

        long key(int batch, int[] outShape) {
            long key = batch;
            for (int d = 0; d < taps.length; d++) key = key * outShape[d] + tapOut[d][base[d] + pos[d]];
            return key;
        }

        /** Advances to the next combination (last dim fastest, so offsets ascend); false after the last. */
        boolean next() {
            int d = taps.length - 1;
            while (d >= 0 && ++pos[d] == taps[d]) pos[d--] = 0;
            return d >= 0;
        }
    }

    /** The sort-based regular rulebook (see {@link #regular}), for output grids too large for a bitmap. */
    static Rulebook regularBySort(SparseTensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation) {
        String op = "SparseConv" + x.ndim() + "d";
        int nd = x.ndim();
        checkTuple(op, "kernel_size", kernelSize, nd, 1);
        checkTuple(op, "stride", stride, nd, 1);
        checkTuple(op, "padding", padding, nd, 0);
        checkTuple(op, "dilation", dilation, nd, 1);
        int[] inShape = x.spatialShapeRef();
        int[] outShape = convOutputShape(op, inShape, kernelSize, stride, padding, dilation);
        int n = x.numActive();
        int vol = volume(kernelSize), w = nd + 1;
        long outVolume = x.batchSize();
        for (int s : outShape) outVolume *= s;
        // pair numbers ride below the output keys in one sortable long; beyond 63 bits use the hash reference
        int pairBits = rowBits((int) Math.min(Integer.MAX_VALUE, (long) n * vol));
        if ((long) n * vol >= Integer.MAX_VALUE || 64 - Long.numberOfLeadingZeros(outVolume) + pairBits > 63)
            return regularReference(x, kernelSize, stride, padding, dilation);
        int[] ind = x.indicesArray();
        // per dim, the taps of each input coordinate that land on an output site: t = c + p - k * dil divisible by s
        // (at most ceil(k / s) of them), so the division runs per tap and dim, not per offset
        int maxTaps = 0;
        for (int d = 0; d < nd; d++) maxTaps = Math.max(maxTaps, kernelSize[d]);
        int mt = maxTaps;
        // cand[k][i]: the output key that input i feeds through offset k, or -1
        long[][] cand = new long[vol][n];
        Parallel.forWork(n, (long) n * vol, (lo, hi) -> {
            int[][] tapK = new int[nd][mt], tapOut = new int[nd][mt];
            int[] taps = new int[nd], pos = new int[nd];
            for (int i = lo; i < hi; i++) {
                for (int k = 0; k < vol; k++) cand[k][i] = -1;
                int o = i * w;
                boolean any = true;
                for (int d = 0; d < nd && any; d++) {
                    int c = 0;
                    for (int kd = 0; kd < kernelSize[d]; kd++) {
                        int t = ind[o + 1 + d] + padding[d] - kd * dilation[d];
                        if (t < 0 || t % stride[d] != 0 || t / stride[d] >= outShape[d]) continue;
                        tapK[d][c] = kd;
                        tapOut[d][c++] = t / stride[d];
                    }
                    taps[d] = c;
                    any = c > 0;
                }
                if (!any) continue;
                // every combination of the per-dim taps, as an odometer
                Arrays.fill(pos, 0);
                while (true) {
                    int k = 0;
                    long key = ind[o];
                    for (int d = 0; d < nd; d++) {
                        k = k * kernelSize[d] + tapK[d][pos[d]];
                        key = key * outShape[d] + tapOut[d][pos[d]];
                    }
                    cand[k][i] = key;
                    int d = nd - 1;
                    while (d >= 0 && ++pos[d] == taps[d]) pos[d--] = 0;
                    if (d < 0) break;
                }
            }
        });
        int[] valid = new int[vol];
        Parallel.forWork(vol, (long) n * vol, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                int c = 0;
                for (long key : cand[k]) if (key >= 0) c++;
                valid[k] = c;
            }
        });
        int[] start = prefix(valid);
        int total = start[vol];
        int[] pin = new int[total], pout = new int[total];
        long[] packed = new long[total];
        Parallel.forWork(vol, (long) n * vol, (lo, hi) -> {
            for (int k = lo; k < hi; k++) {
                long[] ck = cand[k];
                int a = start[k];
                for (int i = 0; i < n; i++) {
                    if (ck[i] < 0) continue;
                    pin[a] = i;
                    packed[a] = ck[i] << pairBits | a;
                    a++;
                }
            }
        });
        // sorting (key, pair) gives the output sites in order; each run of one key is one output row
        Arrays.parallelSort(packed);
        long pairMask = (1L << pairBits) - 1;
        long[] outKeys = new long[total];
        int m = 0;
        for (int a = 0; a < total; a++) {
            long key = packed[a] >>> pairBits;
            if (m == 0 || outKeys[m - 1] != key) outKeys[m++] = key;
            pout[(int) (packed[a] & pairMask)] = m - 1;
        }
        int[] outIndices = new int[m * w];
        for (int r = 0; r < m; r++) {
            long key = outKeys[r];
            for (int d = nd - 1; d >= 0; d--) {
                outIndices[r * w + 1 + d] = (int) (key % outShape[d]);
                key /= outShape[d];
            }
            outIndices[r * w] = (int) key;
        }
        return new Rulebook(Kind.REGULAR, kernelSize.clone(), stride.clone(), padding.clone(), dilation.clone(), start, pin, pout,
                -1, n, m, ind, outIndices, inShape, outShape, x.batchSize());
    }

    /** Bits that hold a row index below n. */
    private static int rowBits(int n) { return Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1))); }

    /** Row-major strides of the spatial dims in the linear key (the batch's stride is the grid volume). */
    private static long[] linearStrides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    /**
     * The sites' linear keys packed above their row numbers ({@code key << rowBits | row}) and sorted, or null
     * when batch x grid is too large for both to fit in 63 bits.
     */
    private static long[] sortedPackedKeys(SparseTensor x) {
        int n = x.numActive();
        int[] shape = x.spatialShapeRef();
        long volume = x.batchSize();
        for (int s : shape) {
            if (volume > (Long.MAX_VALUE >> 1) / s) return null;
            volume *= s;
        }
        int rowBits = rowBits(n);
        if (64 - Long.numberOfLeadingZeros(volume) + rowBits > 63) return null;
        int[] ind = x.indicesArray();
        int w = shape.length + 1;
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) packed[i] = CoordinateIndex.pack(ind, i * w, shape) << rowBits | i;
        Arrays.parallelSort(packed);
        return packed;
    }

    /** This regular rulebook run backwards: inputs are its outputs and outputs its inputs (spconv's inverse conv). */
    public Rulebook inverse() {
        if (kind != Kind.REGULAR)
            throw new IllegalStateException("Rulebook.inverse: only a regular (downsampling) rulebook can be inverted, this one is " + kind);
        return new Rulebook(Kind.INVERSE, kernelSize, stride, padding, dilation, pairStart, pairOut, pairIn, -1, numOut, numIn,
                outIndices, inIndices, outSpatialShape, inSpatialShape, batchSize);
    }

    // ------------------------------------------------------------------ reading

    public Kind kind() { return kind; }

    public int kernelVolume() { return kernelVolume; }

    public int[] kernelSize() { return kernelSize.clone(); }

    public int numIn() { return numIn; }

    public int numOut() { return numOut; }

    /** Number of (in, out) pairs of offset k. */
    public int pairCount(int k) { return pairStart[k + 1] - pairStart[k]; }

    /** Total pairs over all offsets (the GEMM rows of one convolution). */
    public long totalPairs() { return pairStart[kernelVolume]; }

    /** The pairs of offset k as {in rows, out rows} (copies). */
    public int[][] pairs(int k) {
        return new int[][] {Arrays.copyOfRange(pairIn, pairStart[k], pairStart[k + 1]),
                Arrays.copyOfRange(pairOut, pairStart[k], pairStart[k + 1])};
    }

    public int[] outSpatialShape() { return outSpatialShape.clone(); }

    public int[] inSpatialShape() { return inSpatialShape.clone(); }

    /** Output coordinates, flat [numOut, 1 + ndim] (a copy). */
    public int[] outIndices() { return outIndices.clone(); }

    /** True when this rulebook was built for exactly the coordinates of {@code x} as its input. */
    boolean accepts(SparseTensor x) {
        return x.numActive() == numIn && Arrays.equals(x.spatialShapeRef(), inSpatialShape) && x.batchSize() == batchSize
                && (x.indicesArray() == inIndices || Arrays.equals(x.indicesArray(), inIndices));
    }

    boolean sameGeometry(Kind k, int[] ks, int[] s, int[] p, int[] d) {
        if (k != kind || !Arrays.equals(ks, kernelSize) || !Arrays.equals(d, dilation)) return false;
        return k == Kind.SUBMANIFOLD || (Arrays.equals(s, stride) && Arrays.equals(p, padding));
    }

    @Override
    public String toString() {
        return "Rulebook(" + kind + ", kernel " + Arrays.toString(kernelSize) + ", stride " + Arrays.toString(stride) + ", padding "
                + Arrays.toString(padding) + ", dilation " + Arrays.toString(dilation) + ", " + numIn + " -> " + numOut + " sites, "
                + totalPairs() + " pairs)";
    }

    // ------------------------------------------------------------------ helpers

    /** PyTorch's conv output size per dim; an empty output grid is an error naming the op and shapes. */
    static int[] convOutputShape(String op, int[] in, int[] k, int[] s, int[] p, int[] d) {
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            int span = in[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1;
            out[i] = span < 0 ? 0 : span / s[i] + 1;
            if (out[i] <= 0)
                throw new IllegalArgumentException(op + ": spatial shape " + Arrays.toString(in) + " with kernel " + Arrays.toString(k)
                        + ", stride " + Arrays.toString(s) + ", padding " + Arrays.toString(p) + ", dilation " + Arrays.toString(d)
                        + " gives an empty output grid");
        }
        return out;
    }

    /** Per-offset vectors, row-major over the kernel: (k - centre) * dilation when centred, else k * dilation. */
    static int[][] offsetVectors(int[] kernelSize, int[] dilation, boolean centred) {
        int nd = kernelSize.length;
        int vol = volume(kernelSize);
        int[][] r = new int[vol][nd];
        for (int k = 0; k < vol; k++) {
            int rem = k;
            for (int d = nd - 1; d >= 0; d--) {
                int kd = rem % kernelSize[d];
                rem /= kernelSize[d];
                r[k][d] = (centred ? kd - (kernelSize[d] - 1) / 2 : kd) * dilation[d];
            }
        }
        return r;
    }

    static int volume(int[] kernelSize) {
        int v = 1;
        for (int k : kernelSize) v *= k;
        return v;
    }

    private static int[] centrePadding(int[] k, int[] d) {
        int[] p = new int[k.length];
        for (int i = 0; i < k.length; i++) p[i] = (k[i] - 1) / 2 * d[i];
        return p;
    }

    private static int[] prefix(int[] count) {
        int[] s = new int[count.length + 1];
        for (int i = 0; i < count.length; i++) s[i + 1] = s[i] + count[i];
        return s;
    }

    static void checkTuple(String op, String what, int[] v, int nd, int min) {
        if (v == null || v.length != nd)
            throw new IllegalArgumentException(op + ": " + what + " must have " + nd + " entries, got " + (v == null ? "null" : Arrays.toString(v)));
        for (int x : v)
            if (x < min) throw new IllegalArgumentException(op + ": " + what + " must be >= " + min + ", got " + Arrays.toString(v));
    }
}
