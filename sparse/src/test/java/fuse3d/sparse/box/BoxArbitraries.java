package fuse3d.sparse.box;

import fuse3d.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators of boxes (x, y, z, dx, dy, dz, heading), uniform (not scale-2 decimals) and near each other. */
final class BoxArbitraries {
    private BoxArbitraries() {}

    static Arbitrary<Double> uniform(double lo, double hi) {
        return Arbitraries.doubles().between(lo, hi).ofScale(6).withoutEdgeCases();
    }

    /** One box with its centre in [-spread, spread]^2, sizes in [0.2, 4], heading in [-pi, pi]. */
    static Arbitrary<double[]> box(double spread) {
        return Combinators.combine(uniform(-spread, spread), uniform(-spread, spread), uniform(-1, 1), uniform(0.2, 4), uniform(0.2, 4), uniform(0.2, 3),
                uniform(-3.141592, 3.141592)).as((x, y, z, dx, dy, dz, h) -> new double[] {x, y, z, dx, dy, dz, h});
    }

    static Tensor tensor(double[]... boxes) {
        int c = boxes.length == 0 ? 7 : boxes[0].length;
        double[] flat = new double[boxes.length * c];
        for (int i = 0; i < boxes.length; i++) System.arraycopy(boxes[i], 0, flat, i * c, c);
        return Tensor.of(flat, boxes.length, c);
    }

    static double iouBev(double[] a, double[] b) { return RotatedIoU.iouBev(tensor(a), tensor(b)).getDouble(0, 0); }

    static double iou3d(double[] a, double[] b) { return RotatedIoU.iou3d(tensor(a), tensor(b)).getDouble(0, 0); }

    /** Box a moved by the rigid motion: rotate by angle about the origin, then translate. */
    static double[] move(double[] a, double angle, double tx, double ty) {
        double c = Math.cos(angle), s = Math.sin(angle);
        double[] r = a.clone();
        r[0] = a[0] * c - a[1] * s + tx;
        r[1] = a[0] * s + a[1] * c + ty;
        r[6] = a[6] + angle;
        return r;
    }

    /** Whether (x, y) lies in the BEV rectangle of box b. */
    static boolean insideBev(double[] b, double x, double y) {
        double c = Math.cos(-b[6]), s = Math.sin(-b[6]);
        double lx = (x - b[0]) * c - (y - b[1]) * s, ly = (x - b[0]) * s + (y - b[1]) * c;
        return Math.abs(lx) <= b[3] / 2 && Math.abs(ly) <= b[4] / 2;
    }
}
