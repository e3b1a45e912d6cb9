package fuse3d.sparse.conv;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;

/**
 * An open hash from a packed voxel coordinate (batch, spatial...) to its row in a sparse tensor, the look-up
 * behind submanifold rulebooks and {@link SparseTensor#find}.
 *
 * <p>A coordinate packs into one long as {@code ((b * s0 + c0) * s1 + c1) * s2 + c2}, the row-major linear
 * index into [batch, spatial...], so sorting packed keys sorts coordinates lexicographically. The map is only
 * read after construction, so concurrent look-ups from several threads are safe.
 */
public final class CoordinateIndex {
    private final Long2IntOpenHashMap map;
    private final int[] spatialShape;

    private CoordinateIndex(Long2IntOpenHashMap map, int[] spatialShape) {
        this.map = map;
        this.spatialShape = spatialShape;
    }

    /**
     * Indexes the rows of {@code indices} (flat [n, 1 + ndim], already range-checked).
     *
     * @throws IllegalArgumentException when two rows hold the same coordinate (a submanifold rulebook would
     *                                  otherwise silently drop one of them)
     */
    static CoordinateIndex build(String op, int[] indices, int n, int[] spatialShape) {
        int w = spatialShape.length + 1;
        Long2IntOpenHashMap map = new Long2IntOpenHashMap(Math.max(16, n), 0.5f);
        map.defaultReturnValue(-1);
        for (int i = 0; i < n; i++) {
            long key = pack(indices, i * w, spatialShape);
            int prev = map.putIfAbsent(key, i);
            if (prev != -1)
                throw new IllegalArgumentException(op + ": duplicate coordinate " + SparseTensor.coordString(indices, i * w, w)
                        + " at rows " + prev + " and " + i + " of indices [" + n + ", " + w + "]; sparse tensors need unique coordinates");
        }
        return new CoordinateIndex(map, spatialShape);
    }

    /** The packed key of the row starting at {@code indices[off]} (batch first). */
    static long pack(int[] indices, int off, int[] spatialShape) {
        long key = indices[off];
        for (int d = 0; d < spatialShape.length; d++) key = key * spatialShape[d] + indices[off + 1 + d];
        return key;
    }

    /** The row holding packed {@code key}, or -1. */
    int row(long key) { return map.get(key); }

    /** The row holding coordinate {@code (batch, spatial...)}, or -1 when absent or out of the grid. */
    public int row(int batch, int... spatial) {
        if (spatial.length != spatialShape.length)
            throw new IllegalArgumentException("CoordinateIndex.row: " + spatial.length + " spatial coordinates for a "
                    + spatialShape.length + "-d grid");
        if (batch < 0) return -1;
        long key = batch;
        for (int d = 0; d < spatial.length; d++) {
            if (spatial[d] < 0 || spatial[d] >= spatialShape[d]) return -1;
            key = key * spatialShape[d] + spatial[d];
        }
        return map.get(key);
    }

    /** Number of indexed rows. */
    public int size() { return map.size(); }
}
