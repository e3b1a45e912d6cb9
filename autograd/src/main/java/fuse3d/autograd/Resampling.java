package fuse3d.autograd;

import fuse3d.tensor.F;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.ops.Args;
import java.util.Arrays;
import java.util.List;

/** interpolate and grid_sample with their derivatives (grid_sample's for both the input and the grid). */
public final class Resampling {
    private Resampling() {}

    /** torch.nn.functional.interpolate; see {@link F#interpolate} for the modes. */
    public static Var interpolate(Var x, int[] size, double[] scaleFactor, String mode, Boolean alignCorners) {
        int[] s = x.shape();
        int[] inSpatial = Arrays.copyOfRange(s, 2, s.length);
        Tensor y = F.interpolate(x.data(), size, scaleFactor, mode, alignCorners);
        return Var.record("interpolate", y, (g, n) -> new Tensor[] {F.interpolateBackward(g, inSpatial, mode, alignCorners, scaleFactor)}, x);
    }

    /** torch.nn.functional.grid_sample; the grid's gradient is exact where the sampling is differentiable. */
    public static Var gridSample(Var x, Var grid, String mode, String paddingMode, boolean alignCorners) {
        Tensor xd = x.data(), gd = grid.data();
        Tensor y = F.gridSample(xd, gd, mode, paddingMode, alignCorners);
        return Var.record("grid_sample", y, (g, n) -> {
            Tensor[] r = F.gridSampleBackward(g, xd, gd, mode, paddingMode, alignCorners);
            return new Tensor[] {r[0], r[1]};
        }, x, grid);
    }

    // ------------------------------------------------------------------ registry (arguments as TensorOps reads them)

    static void register(VarOps r) {
        r.register("interpolate", (in, a) -> {
            Object ac = a.values().get("align_corners");
            return List.of(interpolate(in.get(0), a.getInts("size"), a.getDoubles("scale_factor"), a.getString("mode", "nearest"), ac == null ? null : (Boolean) ac));
        });
        r.register("grid_sample", (in, a) -> List.of(gridSample(in.get(0), in.get(1), a.getString("mode", "bilinear"),
                a.getString("padding_mode", "zeros"), a.getBool("align_corners", false))));
    }
}
