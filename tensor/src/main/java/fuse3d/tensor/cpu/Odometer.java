package fuse3d.tensor.cpu;

/** A row-major multi-index that steps through every position of a shape (for scatter-style kernels). */
final class Odometer {
    final int[] index;
    private final int[] shape;

    Odometer(int[] shape) {
        this.shape = shape;
        this.index = new int[shape.length];
    }

    /** Advances to the next position; false after the last one. */
    boolean next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++index[d] < shape[d]) return true;
            index[d] = 0;
        }
        return false;
    }
}
