package fuse3d.models.dense;

import java.util.Arrays;

/**
 * The BACKBONE_2D block of an OpenPCDet-style YAML for {@link BaseBEVBackbone}: per level the number of extra 3x3
 * conv layers, the stride of its first conv and its filters, then per level the deblock's upsample stride and
 * filters (empty arrays for no deblocks).
 */
@fuse3d.models.config.ImpliedName("BaseBEVBackbone")
public record BaseBevBackboneConfig(int[] layerNums, int[] layerStrides, int[] numFilters, double[] upsampleStrides, int[] numUpsampleFilters) {
    public BaseBevBackboneConfig {
        if (layerNums == null || layerStrides == null || numFilters == null)
            throw new IllegalArgumentException("BACKBONE_2D: LAYER_NUMS, LAYER_STRIDES and NUM_FILTERS are required");
        if (upsampleStrides == null) upsampleStrides = new double[0];
        if (numUpsampleFilters == null) numUpsampleFilters = new int[0];
        if (layerNums.length == 0 || layerNums.length != layerStrides.length || layerNums.length != numFilters.length)
            throw new IllegalArgumentException("BACKBONE_2D: LAYER_NUMS " + Arrays.toString(layerNums) + ", LAYER_STRIDES " + Arrays.toString(layerStrides)
                    + " and NUM_FILTERS " + Arrays.toString(numFilters) + " must be non-empty and of equal length");
        if (upsampleStrides.length != numUpsampleFilters.length)
            throw new IllegalArgumentException("BACKBONE_2D: UPSAMPLE_STRIDES " + Arrays.toString(upsampleStrides) + " and NUM_UPSAMPLE_FILTERS "
                    + Arrays.toString(numUpsampleFilters) + " must have equal length");
        if (upsampleStrides.length != 0 && upsampleStrides.length != layerNums.length)
            throw new IllegalArgumentException("BACKBONE_2D: UPSAMPLE_STRIDES must have one entry per level (" + layerNums.length
                    + ") or none; the extra trailing deblock is not supported, got " + Arrays.toString(upsampleStrides));
        for (int i = 0; i < layerNums.length; i++) {
            if (layerNums[i] < 0) throw new IllegalArgumentException("BACKBONE_2D.LAYER_NUMS must be >= 0, got " + Arrays.toString(layerNums));
            if (layerStrides[i] < 1) throw new IllegalArgumentException("BACKBONE_2D.LAYER_STRIDES must be >= 1, got " + Arrays.toString(layerStrides));
            if (numFilters[i] < 1) throw new IllegalArgumentException("BACKBONE_2D.NUM_FILTERS must be >= 1, got " + Arrays.toString(numFilters));
        }
        for (int i = 0; i < upsampleStrides.length; i++) {
            if (!(upsampleStrides[i] > 0)) throw new IllegalArgumentException("BACKBONE_2D.UPSAMPLE_STRIDES must be > 0, got " + Arrays.toString(upsampleStrides));
            if (numUpsampleFilters[i] < 1)
                throw new IllegalArgumentException("BACKBONE_2D.NUM_UPSAMPLE_FILTERS must be >= 1, got " + Arrays.toString(numUpsampleFilters));
        }
        layerNums = layerNums.clone();
        layerStrides = layerStrides.clone();
        numFilters = numFilters.clone();
        upsampleStrides = upsampleStrides.clone();
        numUpsampleFilters = numUpsampleFilters.clone();
    }

    /** voxel_rcnn_car.yaml / voxel_rcnn_3classes.yaml: two levels of 5 layers, 64 and 128 filters, both brought to 128 at stride 1. */
    public static BaseBevBackboneConfig voxelRcnnCar() {
        return new BaseBevBackboneConfig(new int[] {5, 5}, new int[] {1, 2}, new int[] {64, 128}, new double[] {1, 2}, new int[] {128, 128});
    }

    public int levels() { return layerNums.length; }

    @Override
    public boolean equals(Object o) {
        return o instanceof BaseBevBackboneConfig c && Arrays.equals(layerNums, c.layerNums) && Arrays.equals(layerStrides, c.layerStrides)
                && Arrays.equals(numFilters, c.numFilters) && Arrays.equals(upsampleStrides, c.upsampleStrides)
                && Arrays.equals(numUpsampleFilters, c.numUpsampleFilters);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {Arrays.hashCode(layerNums), Arrays.hashCode(layerStrides), Arrays.hashCode(numFilters),
                Arrays.hashCode(upsampleStrides), Arrays.hashCode(numUpsampleFilters)});
    }

    @Override
    public String toString() {
        return "BaseBevBackboneConfig[layerNums=" + Arrays.toString(layerNums) + ", layerStrides=" + Arrays.toString(layerStrides) + ", numFilters="
                + Arrays.toString(numFilters) + ", upsampleStrides=" + Arrays.toString(upsampleStrides) + ", numUpsampleFilters="
                + Arrays.toString(numUpsampleFilters) + "]";
    }
}
