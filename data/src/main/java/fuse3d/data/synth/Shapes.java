package fuse3d.data.synth;

import static fuse3d.data.synth.SceneGenerator.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Composed shapes of the object classes, in the object's local frame (x forward, y left, z up, bottom face at
 * z = 0, centred in x and y), with sizes drawn around KITTI's class means (Car l 3.9 w 1.6 h 1.56; Van 5.1 x 1.9
 * x 2.2; Truck 10.1 x 2.6 x 3.2; Pedestrian 0.84 x 0.66 x 1.76; Cyclist 1.76 x 0.6 x 1.74), and for the classes
 * only nuScenes has within nuScenes-like ranges of the labelled box ({@link #BUS_BOX} ...: the parts' tight
 * bounds plus {@link SceneObject#BOX_MARGIN} on each side lie in them).
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
            case BUS -> bus(r, uniform(r, BUS_BOX[0] - 0.1, BUS_BOX[1] - 0.13), uniform(r, BUS_BOX[2] - 0.1, BUS_BOX[3] - 0.1),
                    uniform(r, BUS_BOX[4] - 0.1, BUS_BOX[5] - 0.1));
            case TRAILER -> trailer(r, uniform(r, TRAILER_BOX[0] - 0.1, TRAILER_BOX[1] - 0.11), uniform(r, TRAILER_BOX[2] - 0.1, TRAILER_BOX[3] - 0.1),
                    uniform(r, TRAILER_BOX[4] - 0.1, TRAILER_BOX[5] - 0.1));
            case CONSTRUCTION_VEHICLE -> constructionVehicle(r, uniform(r, CONSTRUCTION_BOX[0] - 0.1, CONSTRUCTION_BOX[1] - 0.11),
                    uniform(r, CONSTRUCTION_BOX[2] - 0.1, CONSTRUCTION_BOX[3] - 0.1), uniform(r, CONSTRUCTION_BOX[4] - 0.1, CONSTRUCTION_BOX[5] - 0.1));
            case MOTORCYCLE -> motorcycle(r, uniform(r, MOTORCYCLE_BOX[0] - 0.1, MOTORCYCLE_BOX[1] - 0.12),
                    uniform(r, MOTORCYCLE_BOX[2] - 0.1, MOTORCYCLE_BOX[3] - 0.1), uniform(r, MOTORCYCLE_BOX[4] - 0.1, MOTORCYCLE_BOX[5] - 0.1));
        };
    }

    /** The labelled box ranges {l min, l max, w min, w max, h min, h max} in metres of the nuScenes-only classes. */
    static final double[] BUS_BOX = {10.0, 12.5, 2.5, 2.9, 3.0, 3.6};
    static final double[] TRAILER_BOX = {7.0, 12.0, 2.4, 2.6, 3.3, 4.0};
    static final double[] CONSTRUCTION_BOX = {5.0, 7.0, 2.4, 2.8, 2.8, 3.4};
    static final double[] MOTORCYCLE_BOX = {1.9, 2.2, 0.7, 0.9, 1.4, 1.6};

    /** The box range of a nuScenes-only class, null for the others. */
    static double[] boxRange(ObjectClass cls) {
        return switch (cls) {
            case BUS -> BUS_BOX;
            case TRAILER -> TRAILER_BOX;
            case CONSTRUCTION_VEHICLE -> CONSTRUCTION_BOX;
            case MOTORCYCLE -> MOTORCYCLE_BOX;
            case CAR, VAN, TRUCK, PEDESTRIAN, CYCLIST, BARRIER, TRAFFIC_CONE -> null;
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

    /** Red tail lamps at the rear corners and the rear plate, standing 1 cm off the rear face (no headlamps). */
    private static void tailLamps(List<Part> p, double rear, double halfW, double lampTop) {
        double t = 0.01, lampW = Math.min(0.32, 0.3 * halfW * 2), inset = 0.04;
        for (int s = -1; s <= 1; s += 2) {
            double y0 = s > 0 ? halfW - inset - lampW : -halfW + inset;
            p.add(Part.box(rear - t, y0, lampTop - 0.16, rear, y0 + lampW, lampTop, Material.TAIL_LIGHT, null));
        }
        p.add(Part.box(rear - t, -0.26, lampTop - 0.30, rear, 0.26, lampTop - 0.19, Material.LICENCE_PLATE, null));
    }

    /**
     * A rigid city bus of length l (lamps included), width w, height h: a low skirt, a band of windows all round
     * (the windscreen with it), the roof with an air-conditioning pod, two axles with a long rear overhang.
     */
    static List<Part> bus(SplittableRandom r, double l, double w, double h) {
        double[] paint = pick(r, PAINTS), stripe = pick(r, PAINTS);
        List<Part> p = new ArrayList<>();
        double body = l - 0.02, x0 = -body / 2, x1 = body / 2, win0 = 1.15, win1 = h - 0.55;
        p.add(Part.box(x0, -w / 2, 0.3, x1, w / 2, win0, Material.VEHICLE_PAINT, paint));                         // skirt
        p.add(Part.box(x0 + 0.25, -w / 2 + 0.03, win0, x1 - 0.03, w / 2 - 0.03, win1, Material.GLASS, null));      // window band
        p.add(Part.box(x0, -w / 2, win0, x0 + 0.25, w / 2, win1, Material.VEHICLE_PAINT, paint));                 // rear wall
        p.add(Part.box(x0, -w / 2, win1, x1, w / 2, h - 0.25, Material.VEHICLE_PAINT, stripe));                   // roof band
        p.add(Part.box(-0.25 * body, -0.36 * w, h - 0.25, 0.05 * body, 0.36 * w, h, Material.VEHICLE_PAINT, paint)); // AC pod
        wheels(p, new double[] {x0 + 0.36 * body, x1 - 2.6}, w / 2 - 0.2, 0.5, 0.32);
        lamps(p, x1, x0, w / 2, 0.95, 0.42);
        return p;
    }

    /**
     * A box trailer of length l (tow bar included), width w, height h: the cargo box on a steel chassis, two or
     * three axles at the back, support legs and the tow bar at the front.
     */
    static List<Part> trailer(SplittableRandom r, double l, double w, double h) {
        double[] cargo = pick(r, PAINTS);
        List<Part> p = new ArrayList<>();
        double bar = uniform(r, 0.9, 1.4), x0 = -l / 2 + 0.01, front = l / 2 - bar, deck = 1.25;
        p.add(Part.box(x0, -w / 2, deck, front, w / 2, h, Material.VEHICLE_PAINT, cargo));                 // cargo box
        p.add(Part.box(x0 + 0.2, -0.4 * w, 0.85, front - 0.1, 0.4 * w, deck, Material.POLE, null));         // chassis
        p.add(Part.box(front - 0.1, -0.05, 0.95, l / 2 - 0.09, 0.05, 1.08, Material.POLE, null));           // tow bar
        p.add(Part.cylinder(2, l / 2 - 0.09, 0, 1.0, 0.09, 0.2, Material.POLE, null));                     // coupling eye
        double legX = front - 0.8;
        for (int s = -1; s <= 1; s += 2) p.add(Part.box(legX - 0.06, s * 0.3 * w - 0.06, 0, legX + 0.06, s * 0.3 * w + 0.06, 0.85, Material.POLE, null));
        double[] axles = l > 9.5 ? new double[] {x0 + 1.1, x0 + 2.15, x0 + 3.2} : new double[] {x0 + 1.2, x0 + 2.25};
        wheels(p, axles, w / 2 - 0.2, 0.48, 0.34);
        tailLamps(p, x0, w / 2, deck + 0.4);
        return p;
    }

    /**
     * A wheel loader of length l (bucket included), width w, height h: big wheels, a yellow body with the engine
     * at the back, the glazed cab, lift arms and the steel bucket at the front, raised or low.
     */
    static List<Part> constructionVehicle(SplittableRandom r, double l, double w, double h) {
        double[] paint = r.nextDouble() < 0.75 ? new double[] {1.5, 7.0, 0.5} : pick(r, PAINTS);
        List<Part> p = new ArrayList<>();
        double wheelR = uniform(r, 0.6, 0.72), bucketZ = uniform(r, 0.05, 0.8), bodyFront = l / 2 - 1.6, x0 = -l / 2 + 0.01;
        double cab0 = -0.12 * l, cab1 = cab0 + 1.5, bw = 0.3 * w;
        p.add(Part.box(x0, -bw, 0.55, bodyFront, bw, 1.55, Material.VEHICLE_PAINT, paint));                  // frame
        p.add(Part.box(x0, -bw, 1.55, cab0 - 0.05, bw, 2.15, Material.VEHICLE_PAINT, paint));                // engine hood
        p.add(Part.cylinder(2, x0 + 0.5, 0.15, 2.35, 0.06, 0.4, Material.POLE, null));                       // exhaust
        p.add(Part.box(cab0, -bw, 1.55, cab1, bw, h - 0.1, Material.GLASS, null));                           // cab
        p.add(Part.box(cab0 - 0.05, -bw - 0.03, h - 0.1, cab1 + 0.05, bw + 0.03, h, Material.VEHICLE_PAINT, paint)); // cab roof
        for (int s = -1; s <= 1; s += 2)                                                                     // lift arms
            p.add(Part.box(bodyFront - 0.6, s * 0.22 * w - 0.08, Math.min(bucketZ + 0.35, 1.2), l / 2 - 0.7, s * 0.22 * w + 0.08, 1.45,
                    Material.VEHICLE_PAINT, paint));
        p.add(Part.box(l / 2 - 0.9, -w / 2, bucketZ, l / 2, w / 2, bucketZ + 0.85, Material.POLE, null));      // bucket
        wheels(p, new double[] {x0 + wheelR + 0.35, bodyFront - wheelR + 0.2}, w / 2 - 0.25, wheelR, 0.5);
        lamps(p, bodyFront, x0, bw, 1.5, 0.7);
        return p;
    }

    /**
     * A motorcycle with its rider, length l (wheels), width w (handlebar), height h (helmet top): wheels, fork,
     * tank, engine and seat, a seated rider with arms to the bars and a helmet, head and tail lamps.
     */
    static List<Part> motorcycle(SplittableRandom r, double l, double w, double h) {
        double[] paint = pick(r, PAINTS), jacket = pick(r, CLOTHES), helmet = pick(r, PAINTS);
        List<Part> p = new ArrayList<>();
        double wheelR = 0.31, axle = l / 2 - wheelR, hw = w / 2;
        p.add(Part.cylinder(1, -axle, 0, wheelR, wheelR, 0.14, Material.TYRE, null));                        // wheels
        p.add(Part.cylinder(1, axle, 0, wheelR, wheelR, 0.14, Material.TYRE, null));
        p.add(Part.box(axle - 0.24, -0.05, 0.35, axle - 0.14, 0.05, 0.95, Material.POLE, null));             // fork
        p.add(Part.box(axle - 0.26, -hw, 0.95, axle - 0.18, hw, 1.0, Material.POLE, null));                  // handlebar
        p.add(Part.box(-0.15, -0.18, 0.28, 0.3, 0.18, 0.58, Material.POLE, null));                           // engine
        p.add(Part.box(-0.05, -0.15, 0.58, axle - 0.3, 0.15, 0.85, Material.VEHICLE_PAINT, paint));          // tank
        p.add(Part.box(-axle + 0.05, -0.13, 0.6, -0.05, 0.13, 0.8, Material.VEHICLE_PAINT, paint));          // tail
        p.add(Part.box(axle - 0.13, -0.07, 0.8, axle - 0.12, 0.07, 0.9, Material.HEADLIGHT, null));          // headlamp
        p.add(Part.box(-axle + 0.04, -0.07, 0.62, -axle + 0.05, 0.07, 0.7, Material.TAIL_LIGHT, null));      // tail lamp
        // the rider: thighs on the seat, shins down to the pegs, torso leaning forward, arms to the bars, helmet
        double seat = 0.72, shoulder = h - 0.3;
        for (int s = -1; s <= 1; s += 2) {
            p.add(Part.box(-0.4, s * 0.17 - 0.07, seat, 0.05, s * 0.17 + 0.07, seat + 0.12, Material.CLOTH, jacket));
            p.add(Part.box(0.0, s * 0.2 - 0.06, 0.35, 0.12, s * 0.2 + 0.06, seat + 0.05, Material.CLOTH, jacket));
            p.add(Part.box(-0.1, s * 0.21 - 0.04, shoulder - 0.12, axle - 0.22, s * 0.21 + 0.04, shoulder - 0.04, Material.CLOTH, jacket));
        }
        p.add(Part.box(-0.42, -0.2, seat + 0.12, -0.05, 0.2, shoulder, Material.CLOTH, jacket));              // torso
        p.add(Part.box(-0.2, -0.05, shoulder, -0.12, 0.05, shoulder + 0.04, Material.SKIN, null));            // neck
        p.add(Part.cylinder(2, -0.14, 0, (shoulder + 0.04 + h) / 2, 0.13, h - shoulder - 0.04, Material.VEHICLE_PAINT, helmet)); // helmet
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
