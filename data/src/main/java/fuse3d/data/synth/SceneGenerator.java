package fuse3d.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a random street {@link Scene} from a seed: the same seed gives the same scene on every JVM (one
 * {@link SplittableRandom}, consumed in a fixed order). Objects get class-typical sizes (KITTI's label
 * statistics) and composed shapes, stand without overlap on the road and sidewalks, mostly ahead of the ego
 * position (the origin) where the front camera sees them, at distances up to about 70 m, so some are occluded
 * by others and some cut by the image border.
 */
public final class SceneGenerator {
    private SceneGenerator() {}

    /** Ground clearance kept around the ego vehicle at the origin (nothing is placed inside this radius). */
    static final double EGO_CLEARANCE = 3.5;

    /** The street of KITTI frames: the classes KITTI annotates (and its clutter); {@code generate(seed, false)}. */
    public static Scene generate(long seed) { return generate(seed, false); }

    /**
     * The street of {@code seed}; with {@code allNuScenesClasses} it also holds buses, trailers, construction
     * vehicles and motorcycles (nuScenes' and Occ3D's classes KITTI does not have). Those are drawn and placed
     * after everything else, from the same random stream, so the rest of the street is the same either way and
     * {@code generate(seed, false)} is exactly the KITTI street.
     */
    public static Scene generate(long seed, boolean allNuScenesClasses) {
        SplittableRandom r = new SplittableRandom(seed);
        double roadHalf = uniform(r, 5.5, 8.0);
        double roadY = uniform(r, -roadHalf + 2.0, roadHalf - 2.0); // the ego drives somewhere on the road
        double slopeX = uniform(r, -0.02, 0.02), slopeY = uniform(r, -0.01, 0.01), kerb = uniform(r, 0.12, 0.18);
        Builder b = new Builder(r, slopeX, slopeY, roadY, roadHalf, kerb);
        b.statics();
        b.objects();
        if (allNuScenesClasses) b.nuScenesObjects();
        return new Scene(seed, slopeX, slopeY, roadY, roadHalf, kerb, b.out);
    }

    static double uniform(SplittableRandom r, double lo, double hi) { return lo + (hi - lo) * r.nextDouble(); }

    private static final class Builder {
        final SplittableRandom r;
        final double slopeX, slopeY, roadY, roadHalf, kerb;
        final List<SceneObject> out = new ArrayList<>();
        final List<double[]> footprints = new ArrayList<>(); // {x, y, radius} of annotated objects and small statics
        final double[] sidewalks = new double[2]; // sidewalk width right (-y) and left (+y)
        final List<double[]> rects = new ArrayList<>(); // footprint bounds of the nuScenes-only classes

        Builder(SplittableRandom r, double slopeX, double slopeY, double roadY, double roadHalf, double kerb) {
            this.r = r;
            this.slopeX = slopeX;
            this.slopeY = slopeY;
            this.roadY = roadY;
            this.roadHalf = roadHalf;
            this.kerb = kerb;
        }

        double ground(double x, double y) { return slopeX * x + slopeY * y + (Math.abs(y - roadY) > roadHalf ? kerb : 0); }

        void statics() {
            for (int side = -1; side <= 1; side += 2) {
                double sidewalk = uniform(r, 3.0, 5.0);
                sidewalks[side < 0 ? 0 : 1] = sidewalk;
                double front = roadY + side * (roadHalf + sidewalk); // building line
                double x = -90 + uniform(r, 0, 10);
                while (x < 110) {
                    double len = uniform(r, 8, 25), depth = uniform(r, 8, 14), height = uniform(r, 5, 16);
                    double cx = x + len / 2, cy = front + side * depth / 2;
                    // buildings sink half a metre so that no slope leaves a gap beneath them
                    double z = ground(cx, cy) - 0.5 - Math.abs(slopeX) * len / 2 - Math.abs(slopeY) * depth / 2;
                    double[] wall = shade(r, 0.15);
                    List<Part> parts = List.of(Part.box(-len / 2, -depth / 2, 0, len / 2, depth / 2, height + 0.5, Material.BUILDING, wall));
                    add(null, cx, cy, z, 0, parts);
                    x += len + (r.nextDouble() < 0.3 ? uniform(r, 3, 12) : 0.0);
                }
                // poles and trees along the kerb
                double px = -60 + uniform(r, 0, 15);
                while (px < 100) {
                    double py = roadY + side * (roadHalf + uniform(r, 0.5, 1.0));
                    double z = ground(px, py) - 0.3;
                    if (r.nextDouble() < 0.5) {
                        double h = uniform(r, 4, 8), rad = uniform(r, 0.08, 0.15);
                        add(null, px, py, z, 0, List.of(Part.cylinder(2, 0, 0, (h + 0.3) / 2, rad, h + 0.3, Material.POLE, null)));
                        footprints.add(new double[] {px, py, rad});
                    } else {
                        double trunk = uniform(r, 2.0, 3.0), crown = uniform(r, 1.2, 2.0);
                        add(null, px, py, z, uniform(r, 0, Math.PI), List.of(
                                Part.cylinder(2, 0, 0, (trunk + 0.3) / 2, 0.15, trunk + 0.3, Material.VEGETATION, new double[] {0.8, 0.6, 0.5}),
                                Part.box(-crown, -crown, trunk + 0.3, crown, crown, trunk + 0.3 + 2 * crown, Material.VEGETATION, null)));
                        footprints.add(new double[] {px, py, crown}); // the crown overhangs the kerb
                    }
                    px += uniform(r, 12, 30);
                }
            }
        }

        void objects() {
            int cars = 8 + r.nextInt(13), vans = r.nextInt(3), trucks = r.nextInt(2), peds = 2 + r.nextInt(7),
                    cyclists = r.nextInt(4), barriers = r.nextInt(5), cones = r.nextInt(6);
            for (int i = 0; i < cars; i++) place(ObjectClass.CAR);
            for (int i = 0; i < vans; i++) place(ObjectClass.VAN);
            for (int i = 0; i < trucks; i++) place(ObjectClass.TRUCK);
            for (int i = 0; i < peds; i++) place(ObjectClass.PEDESTRIAN);
            for (int i = 0; i < cyclists; i++) place(ObjectClass.CYCLIST);
            for (int i = 0; i < barriers; i++) place(ObjectClass.BARRIER);
            for (int i = 0; i < cones; i++) place(ObjectClass.TRAFFIC_CONE);
        }

        /**
         * The nuScenes-only classes: up to one bus, one trailer, one construction vehicle and two motorcycles, on
         * the road like vehicles, parked at a kerb or in a lane.
         */
        void nuScenesObjects() {
            int buses = r.nextInt(2), trailers = r.nextInt(2), construction = r.nextInt(2), motorcycles = r.nextInt(3);
            for (int i = 0; i < buses; i++) placeOnRoad(ObjectClass.BUS, 0.3);
            for (int i = 0; i < trailers; i++) placeOnRoad(ObjectClass.TRAILER, 0.75);
            for (int i = 0; i < construction; i++) placeOnRoad(ObjectClass.CONSTRUCTION_VEHICLE, 0.6);
            for (int i = 0; i < motorcycles; i++) placeOnRoad(ObjectClass.MOTORCYCLE, 0.4);
        }

        /**
         * Places a vehicle of a nuScenes-only class on the road, at a kerb with probability {@code parked}, else in a
         * lane, along the road in either direction. Long vehicles do not fit the footprint circles of
         * {@link #place}: they keep clear by their axis-aligned footprint bounds (of everything placed here) and by
         * the bounds' distance to the circles of everything else, and stay wholly on the road.
         */
        void placeOnRoad(ObjectClass cls, double parked) {
            List<Part> parts = Shapes.of(cls, r);
            double halfW = new SceneObject(0, cls, 0, 0, 0, 0, parts).bevBounds(0, 0)[3];
            for (int attempt = 0; attempt < 40; attempt++) {
                double x = r.nextDouble() < 0.8 ? uniform(r, 2, 70) : uniform(r, -50, 70);
                double side = r.nextBoolean() ? 1 : -1;
                double offset = r.nextDouble() < parked ? roadHalf - halfW - uniform(r, 0.2, 0.5) : uniform(r, 1.6, Math.max(1.6, roadHalf - halfW - 0.8));
                double y = roadY + side * offset;
                double heading = (side > 0 ? Math.PI : 0) + uniform(r, -0.08, 0.08) * (cls == ObjectClass.MOTORCYCLE ? 2 : 1);
                double[] bb = new SceneObject(0, cls, x, y, 0, heading, parts).bevBounds();
                double ex = Math.max(0, Math.max(bb[0], -bb[2])), ey = Math.max(0, Math.max(bb[1], -bb[3]));
                if (Math.hypot(ex, ey) < EGO_CLEARANCE) continue;
                if (bb[0] < 8 && bb[2] > -8 && bb[1] < 1.5 && bb[3] > -1.5) continue; // the ego lane close ahead and behind
                if (bb[1] < roadY - roadHalf + 0.05 || bb[3] > roadY + roadHalf - 0.05) continue; // wholly on the road
                if (!clear(bb)) continue;
                add(cls, x, y, ground(x, y), heading, parts);
                rects.add(bb);
                return;
            }
        }

        /** Whether footprint bounds keep 0.3 m from every footprint circle and every placed bounds. */
        boolean clear(double[] bb) {
            for (double[] f : footprints) {
                double dx = Math.max(0, Math.max(bb[0] - f[0], f[0] - bb[2])), dy = Math.max(0, Math.max(bb[1] - f[1], f[1] - bb[3]));
                if (Math.hypot(dx, dy) < f[2] + 0.3) return false;
            }
            for (double[] q : rects)
                if (bb[0] < q[2] + 0.3 && q[0] < bb[2] + 0.3 && bb[1] < q[3] + 0.3 && q[1] < bb[3] + 0.3) return false;
            return true;
        }

        /** Tries a few random spots for one object; gives up quietly when the street is full. */
        void place(ObjectClass cls) {
            List<Part> parts = Shapes.of(cls, r);
            double radius = new SceneObject(0, cls, 0, 0, 0, 0, parts).footprintRadius();
            for (int attempt = 0; attempt < 30; attempt++) {
                // 80 % ahead of the ego (where the camera looks), the rest anywhere around it
                double x = r.nextDouble() < 0.8 ? uniform(r, 2, 70) : uniform(r, -50, 70);
                double y, heading;
                switch (cls) {
                    case PEDESTRIAN -> {
                        boolean onSidewalk = r.nextDouble() < 0.8;
                        double side = r.nextBoolean() ? 1 : -1;
                        y = onSidewalk ? roadY + side * (roadHalf + uniform(r, 0.8, sidewalks[side < 0 ? 0 : 1] - 0.8)) : roadY + uniform(r, -roadHalf + 0.5, roadHalf - 0.5);
                        heading = uniform(r, -Math.PI, Math.PI);
                    }
                    case BARRIER, TRAFFIC_CONE -> {
                        double side = r.nextBoolean() ? 1 : -1;
                        y = roadY + side * (roadHalf - uniform(r, 0.4, 2.5));
                        heading = cls == ObjectClass.BARRIER ? uniform(r, -0.3, 0.3) : uniform(r, -Math.PI, Math.PI);
                    }
                    case CYCLIST -> {
                        double side = r.nextBoolean() ? 1 : -1;
                        y = roadY + side * (roadHalf - uniform(r, 0.6, 1.5));
                        heading = (side > 0 ? Math.PI : 0) + uniform(r, -0.2, 0.2);
                    }
                    default -> { // vehicles: parked at a kerb or driving in a lane, either direction
                        double side = r.nextBoolean() ? 1 : -1;
                        boolean parked = r.nextDouble() < 0.5;
                        double offset = parked ? roadHalf - uniform(r, 1.1, 1.4) : uniform(r, 1.6, roadHalf - 2.8);
                        y = roadY + side * Math.max(offset, 1.6);
                        heading = (side > 0 ? Math.PI : 0) + uniform(r, -0.15, 0.15) + (r.nextDouble() < 0.1 ? uniform(r, -1.2, 1.2) : 0);
                    }
                }
                if (Math.hypot(x, y) < EGO_CLEARANCE + radius) continue;
                if (Math.abs(y) < 1.5 && x > -8 && x < 8) continue; // the ego lane close ahead and behind stays free
                boolean free = true;
                for (double[] f : footprints) {
                    if (Math.hypot(f[0] - x, f[1] - y) < f[2] + radius + 0.3) {
                        free = false;
                        break;
                    }
                }
                if (!free) continue;
                // a footprint that reaches over the kerb would stand half on the road, half on the sidewalk
                double edge = Math.abs(Math.abs(y - roadY) - roadHalf);
                if (edge < radius + 0.05) continue;
                add(cls, x, y, ground(x, y), heading, parts);
                footprints.add(new double[] {x, y, radius});
                return;
            }
        }

        void add(ObjectClass cls, double x, double y, double z, double heading, List<Part> parts) {
            out.add(new SceneObject(out.size(), cls, x, y, z, heading, parts));
        }
    }

    static double[] shade(SplittableRandom r, double spread) {
        double s = 1 + uniform(r, -spread, spread);
        return new double[] {s * (1 + uniform(r, -0.05, 0.05)), s, s * (1 + uniform(r, -0.05, 0.05))};
    }
}
