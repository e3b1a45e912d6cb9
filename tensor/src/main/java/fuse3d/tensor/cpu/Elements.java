package fuse3d.tensor.cpu;

import fuse3d.tensor.Storage;

/** Copies single elements between storages exactly (int64 never passes through a double). */
final class Elements {
    private Elements() {}

    static void copy(Storage dst, int di, Storage src, int si) {
        if (dst.dtype() == src.dtype()) {
            switch (dst.dtype()) {
                case FLOAT32 -> dst.floats()[di] = src.floats()[si];
                case FLOAT64 -> dst.doubles()[di] = src.doubles()[si];
                case INT32 -> dst.ints()[di] = src.ints()[si];
                case INT64 -> dst.longs()[di] = src.longs()[si];
                case BOOL -> dst.bools()[di] = src.bools()[si];
            }
        } else if (dst.dtype().isFloating() || src.dtype().isFloating()) {
            dst.setDouble(di, src.getDouble(si));
        } else {
            dst.setLong(di, src.getLong(si));
        }
    }
}
