package fuse3d.data.synth;

import static fuse3d.data.synth.SceneGenerator.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Composed shapes of the object classes, in the object's local frame (x forward, y left, z up, bottom face at
 * z = 0, centred in x and y), with sizes drawn around KITTI's class means (Car l 3.9 w 1.6 h 1.56; Van 5.1 x 1.9
 * x 2.2; Truck 10.1 x 2.6 x 3.2; Pedestrian 0.84 x 0.66 x 1.76; Cyclist 1.76 x 0.6 x 1.74).
 */
final class Shapes {
    private Shapes() {}

    private static final double[][] PAINTS = {
        {1.5, 1.5, 1.5}, {0.25, 0.25, 0.25}, {1.0, 1.0, 1.0}, {1.5, 0.3, 0.3}, {0.3, 0.5, 1.6}, {1.2, 1.1, 0.4}, {0.5, 0.9, 0.5}};
    private static final double[][] CLOTHES = {
        {1.0, 1.0, 1.0}, {2.5, 0.8, 0.6}, {0.6, 1.8, 0.8}, {3.0, 3.0, 1.6}, {0.4, 0.4, 0.4}, {2.8, 2.8, 2.0}};

    static List<Part> of(ObjectClass cls, SplittableRandom r) {
        return switch (cls) {
            case CAR -> car(r, uniform(r, 3.5, 4.6), uniform(r, 1.55, 1.8), uniform(r, 1.4, 1.65));
            case VAN -> van(r, uniform(r, 4.6, 5.6), uniform(r, 1.8, 2.0), uniform(r, 1.9, 2.4));
            case TRUCK -> truck(r, uniform(r, 6.5, 11), uniform(r, 2.3, 2.6), uniform(r, 2.8, 3.6));
            case PEDESTRIAN -> pedestrian(r, uniform(r, 1.55, 1.9));
            case CYCLIST -> cyclist(r);
            case BARRIER -> barrier(r);
            case TRAFFIC_CONE -> cone(r);
        };
    }

    private static double[] pick(SplittableRandom r, double[][] options) { return options[r.nextInt(options.length)]; }

    private static void wheels(List<Part> p, double[] xs, double halfTrack, double radius, double width) {
        for (double x : xs)
            for (int s = -1; s <= 1; s += 2) p.add(Part.cylinder(1, x, s * halfTrack, radius, radius, width, Material.TYRE, null));
    }

    /**
     * What tells a vehicle's front from its back to a LiDAR as it does on the road: red tail lamps with their
     * retro-reflectors at the rear corners and a licence plate at mid-height, headlamps and a lower plate at the
     * front, each standing 1 cm off its face so the ray meets it first.
     *
     * @param front the x of the front face; {@code rear} the x of the rear face
     * @param lampTop the height of the lamps' top edge; {@code frontPlate} the height of the front plate's lower edge
     */
    private static void lamps(List<Part> p, double front, double rear, double halfW, double lampTop, double frontPlate) {
        double t = 0.01, lampW = Math.min(0.32, 0.3 * halfW * 2), inset = 0.04;
        for (int s = -1; s <= 1; s += 2) {
            double y0 = s > 0 ? halfW - inset - lampW : -halfW + inset, y1 = y0 + lampW;
            p.add(Part.box(rear - t, y0, lampTop - 0.16, rear, y1, lampTop, Material.TAIL_LIGHT, null));
            p.add(Part.box(front, y0, lampTop - 0.12, front + t, y1, lampTop, Material.HEADLIGHT, null));
        }
        p.add(Part.box(rear - t, -0.26, lampTop - 0.30, rear, 0.26, lampTop - 0.19, Material.LICENCE_PLATE, null));
        p.add(Part.box(front, -0.26, frontPlate, front + t, 0.26, frontPlate + 0.11, Material.LICENCE_PLATE, null));
    }

    static List<Part> car(SplittableRandom r, double l, double w, double h) {
        double[] paint = pick(r, PAINTS);
        List<Part> p = new ArrayList<>();
        double wheelR = 0.31, bodyTop = 0.55 * h + 0.1;
        p.add(Part.box(-l / 2, -w / 2, 0.22, l / 2, w / 2, bodyTop, Material.VEHICLE_PAINT, paint));           // body
        p.add(Part.box(-0.32 * l, -0.44 * w, bodyTop, 0.18 * l, 0.44 * w, h, Material.GLASS, null));           // cabin
        p.add(Part.box(-0.30 * l, -0.42 * w, h - 0.04, 0.10 * l, 0.42 * w, h, Material.VEHICLE_PAINT, paint)); // roof
        wheels(p, new double[] {-0.31 * l, 0.31 * l}, w / 2 - 0.13, wheelR, 0.22);
        lamps(p, l / 2, -l / 2, w / 2, bodyTop - 0.06, 0.30);
        return p;
    }

    static List<Part> van(SplittableRandom r, double l, double w, double h) {
        double[] paint = pick(r, PAINTS);
        List<Part> p = new ArrayList<>();
        p.add(Part.box(-l / 2, -w / 2, 0.3, l / 2, w / 2, 0.45 * h, Material.VEHICLE_PAINT, paint));          // lower body
        p.add(Part.box(-l / 2, -w / 2, 0.45 * h, 0.25 * l, w / 2, h, Material.VEHICLE_PAINT, paint));         // box
        p.add(Part.box(0.25 * l, -0.46 * w, 0.45 * h, 0.36 * l, 0.46 * w, 0.9 * h, Material.GLASS, null));   // windscreen
        wheels(p, new double[] {-0.32 * l, 0.32 * l}, w / 2 - 0.14, 0.34, 0.24);
        lamps(p, l / 2, -l / 2, w / 2, 0.45 * h - 0.04, 0.36);
        return p;
    }

    static List<Part> truck(SplittableRandom r, double l, double w, double h) {
        double[] paint = pick(r, PAINTS), cargo = pick(r, PAINTS);
        List<Part> p = new ArrayList<>();
        double cab = 2.2;
        p.add(Part.box(l / 2 - cab, -w / 2, 0.55, l / 2, w / 2, 0.62 * h, Material.VEHICLE_PAINT, paint));            // cab
        p.add(Part.box(l / 2 - cab + 0.2, -0.47 * w, 0.62 * h, l / 2 - 0.1, 0.47 * w, 0.85 * h, Material.GLASS, null)); // cab windows
        p.add(Part.box(-l / 2, -w / 2, 1.0, l / 2 - cab - 0.15, w / 2, h, Material.VEHICLE_PAINT, cargo));              // cargo box
        p.add(Part.box(-l / 2 + 0.3, -0.35 * w, 0.45, l / 2 - 0.3, 0.35 * w, 1.0, Material.POLE, null));                // chassis
        wheels(p, new double[] {-l / 2 + 1.0, -l / 2 + 2.1, l / 2 - 1.2}, w / 2 - 0.2, 0.5, 0.36);
        lamps(p, l / 2, -l / 2, w / 2, 1.15, 0.62);
        return p;
    }

    static List<Part> pedestrian(SplittableRandom r, double h) {
        double[] shirt = pick(r, CLOTHES), trousers = pick(r, CLOTHES);
        List<Part> p = new ArrayList<>();
        double hip = 0.47 * h, shoulder = 0.82 * h, half = 0.19;
        double stride = uniform(r, 0, 0.18);
        p.add(Part.cylinder(2, stride, 0.09, hip / 2, 0.075, hip, Material.CLOTH, trousers));     // legs
        p.add(Part.cylinder(2, -stride, -0.09, hip / 2, 0.075, hip, Material.CLOTH, trousers));
        p.add(Part.box(-0.12, -half, hip, 0.12, half, shoulder, Material.CLOTH, shirt));          // torso
        p.add(Part.cylinder(2, 0.02, half + 0.06, (hip + 0.05 + shoulder) / 2, 0.05, shoulder - hip - 0.05, Material.CLOTH, shirt)); // arms
        p.add(Part.cylinder(2, -0.02, -half - 0.06, (hip + 0.05 + shoulder) / 2, 0.05, shoulder - hip - 0.05, Material.CLOTH, shirt));
        p.add(Part.cylinder(2, 0, 0, (shoulder + 0.03 + h) / 2, 0.10, h - shoulder - 0.03, Material.SKIN, null)); // head
        p.add(Part.box(-0.04, -0.05, shoulder, 0.04, 0.05, shoulder + 0.04, Material.SKIN, null));                 // neck
        return p;
    }

    static List<Part> cyclist(SplittableRandom r) {
        double[] shirt = pick(r, CLOTHES), frame = pick(r, PAINTS);
        List<Part> p = new ArrayList<>();
        double wheelR = 0.34, axle = 0.53;
        p.add(Part.cylinder(1, -axle, 0, wheelR, wheelR, 0.05, Material.TYRE, null));              // wheels
        p.add(Part.cylinder(1, axle, 0, wheelR, wheelR, 0.05, Material.TYRE, null));
        p.add(Part.box(-axle, -0.02, 0.40, axle, 0.02, 0.48, Material.BICYCLE_FRAME, frame));        // frame tube
        p.add(Part.box(0.35, -0.25, 0.95, 0.42, 0.25, 1.0, Material.BICYCLE_FRAME, frame));          // handlebar
        p.add(Part.cylinder(2, -0.1, 0.1, 0.66, 0.07, 0.5, Material.CLOTH, shirt));                 // legs
        p.add(Part.cylinder(2, -0.1, -0.1, 0.66, 0.07, 0.5, Material.CLOTH, shirt));
        p.add(Part.box(-0.25, -0.18, 0.91, 0.05, 0.18, 1.45, Material.CLOTH, shirt));               // torso (leaning)
        p.add(Part.box(0.05, -0.2, 1.2, 0.38, -0.14, 1.28, Material.CLOTH, shirt));                 // arms
        p.add(Part.box(0.05, 0.14, 1.2, 0.38, 0.2, 1.28, Material.CLOTH, shirt));
        p.add(Part.cylinder(2, -0.08, 0, 1.58, 0.1, 0.24, Material.SKIN, null));                    // head
        return p;
    }

    static List<Part> barrier(SplittableRandom r) {
        double l = uniform(r, 1.5, 2.5), w = uniform(r, 0.4, 0.6), h = uniform(r, 0.8, 1.05);
        List<Part> p = new ArrayList<>();
        p.add(Part.box(-l / 2, -w / 2, 0, l / 2, w / 2, 0.25, Material.CLOTH, new double[] {1.4, 1.4, 1.4}));   // base
        p.add(Part.box(-l / 2, -0.06, 0.25, l / 2, 0.06, h, Material.RETROREFLECTIVE, null));                   // panel
        return p;
    }

    static List<Part> cone(SplittableRandom r) {
        double h = uniform(r, 0.5, 0.9), base = 0.2 + 0.1 * h;
        List<Part> p = new ArrayList<>();
        p.add(Part.box(-base, -base, 0, base, base, 0.04, Material.TYRE, null));
        // a stepped cone: three cylinders of shrinking radius
        for (int k = 0; k < 3; k++) {
            double z0 = 0.04 + k * (h - 0.04) / 3, z1 = 0.04 + (k + 1) * (h - 0.04) / 3;
            double rad = 0.16 * (1 - k / 3.0) + 0.03;
            p.add(Part.cylinder(2, 0, 0, (z0 + z1) / 2, rad, z1 - z0, k == 1 ? Material.CLOTH : Material.RETROREFLECTIVE,
                    k == 1 ? new double[] {3, 3, 3} : null));
        }
        return p;
    }
}
