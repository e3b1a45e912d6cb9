package fuse3d.tensor.cpu;

import java.util.Locale;

/** The interpolation rule of {@link GridSample}, mirroring the {@code mode} argument of PyTorch's {@code grid_sample}. */
public enum SampleMode {
    /** Bilinear for 2-D inputs, trilinear for 3-D inputs (PyTorch calls both {@code 'bilinear'}). */
    BILINEAR,
    /** The nearest pixel; see {@link GridSample} for the rounding rule, which differs between 2-D and 3-D. */
    NEAREST;

    /** Parses PyTorch's mode string ({@code bilinear} or {@code nearest}). */
    public static SampleMode fromTorch(String mode) {
        if (mode == null) {
            throw new IllegalArgumentException("grid_sample: mode is null");
        }
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "bilinear" -> BILINEAR;
            case "nearest" -> NEAREST;
            default -> throw new IllegalArgumentException(
                    "grid_sample: unsupported mode '" + mode + "' (expected bilinear or nearest)");
        };
    }
}
