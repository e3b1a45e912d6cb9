package fuse3d.tensor.cpu;

import java.util.Locale;

/** The sampling rule of {@link Interpolate}, mirroring the {@code mode} argument of PyTorch's {@code interpolate}. */
public enum InterpMode {
    /** PyTorch's legacy {@code 'nearest'}: source index {@code floor(dst * scale)}, clamped to the last pixel. */
    NEAREST,
    /** PyTorch's {@code 'nearest-exact'}: source index {@code floor((dst + 0.5) * scale)}, clamped (pixel centres). */
    NEAREST_EXACT,
    /** {@code 'linear'}, {@code 'bilinear'} or {@code 'trilinear'}, chosen by the number of spatial dimensions. */
    LINEAR;

    /**
     * Parses PyTorch's mode string; {@code linear}, {@code bilinear} and {@code trilinear} all map to
     * {@link #LINEAR} because the kernel picks the variant from the rank of the spatial shape.
     */
    public static InterpMode fromTorch(String mode) {
        if (mode == null) {
            throw new IllegalArgumentException("interpolate: mode is null");
        }
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "nearest" -> NEAREST;
            case "nearest-exact", "nearest_exact" -> NEAREST_EXACT;
            case "linear", "bilinear", "trilinear" -> LINEAR;
            default -> throw new IllegalArgumentException("interpolate: unsupported mode '" + mode
                    + "' (expected nearest, nearest-exact, linear, bilinear or trilinear)");
        };
    }
}
