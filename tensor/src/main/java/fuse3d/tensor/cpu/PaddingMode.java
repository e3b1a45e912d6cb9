package fuse3d.tensor.cpu;

import java.util.Locale;

/** How {@link GridSample} treats sample points outside the input, mirroring PyTorch's {@code padding_mode}. */
public enum PaddingMode {
    /** Pixels outside the input read as zero. */
    ZEROS,
    /** Coordinates are clamped to the border pixels. */
    BORDER,
    /** Coordinates are reflected at the borders (then clamped), as PyTorch does. */
    REFLECTION;

    /** Parses PyTorch's padding string ({@code zeros}, {@code border} or {@code reflection}). */
    public static PaddingMode fromTorch(String padding) {
        if (padding == null) {
            throw new IllegalArgumentException("grid_sample: padding_mode is null");
        }
        return switch (padding.toLowerCase(Locale.ROOT)) {
            case "zeros" -> ZEROS;
            case "border" -> BORDER;
            case "reflection" -> REFLECTION;
            default -> throw new IllegalArgumentException("grid_sample: unsupported padding_mode '" + padding
                    + "' (expected zeros, border or reflection)");
        };
    }
}
