package fuse3d.data.occ3d;

import java.util.ArrayList;
import java.util.List;

/**
 * Casts SparseOcc's virtual LiDAR rays through an occupancy grid and reports, per ray, the class and the
 * distance of the first occupied voxel: the measurement RayIoU compares between prediction and ground truth.
 *
 * <p>Re-derived from SparseOcc's {@code ray_metrics.py} and its DVR renderer ({@code lib/dvr/dvr.cu}, itself
 * from 4d-occ-forecasting), keeping their conventions so numbers match:
 * <ul>
 *   <li>Rays: 39 pitch angles ({@code -(pi/2 - atan(k + 1))} for k = 0..9, then continued with the last step
 *       until the angle exceeds 0.21 rad, the top of the nuScenes LiDAR's field of view) times 360 azimuths
 *       at 1 degree, 14,040 unit directions, stored as float32, pitch-major.</li>
 *   <li>Coordinates: the origin and the ray's end point (origin + unit direction, in metres) are converted
 *       to voxel units in double precision and then rounded to float32, as the official code does before
 *       handing them to the renderer; the walk itself runs in double.</li>
 *   <li>The walk (Amanatides-Woo) starts in the voxel {@code (int) origin} (truncation toward zero), moves to
 *       the neighbour whose boundary is nearest, ties going to z, then y (x only when strictly nearest),
 *       and ends when the ray leaves the grid after having been inside, or after 1,000 steps.</li>
 *   <li>A voxel is occupied when its label is not free (17); any other value, 255 included, counts as
 *       occupied. A ray reports the first occupied voxel on its path; the distance is where the ray
 *       <i>leaves</i> that voxel (not where it enters), times the voxel size, in float32. A ray that hits
 *       nothing reports the last voxel inside the grid (free) and its exit distance; a ray that never enters
 *       the grid reports voxel (0, 0, 0) and distance {@code -voxelSize}.</li>
 * </ul>
 */
public final class RayCaster {
    private RayCaster() {}

    /** The renderer gives up after this many steps (only reachable from an origin outside the grid). */
    static final int MAX_STEP = 1000;

    private static final float[][] LIDAR_RAYS = buildRays();

    /** The pitch angles of the virtual LiDAR, in radians, lowest first (39 of them). */
    public static double[] pitchAngles() {
        List<Double> p = new ArrayList<>();
        for (int k = 0; k < 10; k++) p.add(-(Math.PI / 2 - StrictMath.atan(k + 1)));
        while (p.getLast() < 0.21) p.add(p.getLast() + (p.getLast() - p.get(p.size() - 2)));
        return p.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The 14,040 unit ray directions {@code [n][3]} (float32, as the official code stores them); a copy. */
    public static float[][] lidarRays() {
        float[][] out = new float[LIDAR_RAYS.length][];
        for (int i = 0; i < out.length; i++) out[i] = LIDAR_RAYS[i].clone();
        return out;
    }

    /** Number of rays per origin. */
    public static int rayCount() { return LIDAR_RAYS.length; }

    private static float[][] buildRays() {
        double[] pitch = pitchAngles();
        float[][] rays = new float[pitch.length * 360][];
        int i = 0;
        for (double p : pitch) {
            for (int a = 0; a < 360; a++) {
                double az = a * (Math.PI / 180.0); // numpy's deg2rad: x * (pi / 180)
                rays[i++] = new float[] {
                    (float) (StrictMath.cos(p) * StrictMath.cos(az)),
                    (float) (StrictMath.cos(p) * StrictMath.sin(az)),
                    (float) StrictMath.sin(p)};
            }
        }
        return rays;
    }

    /**
     * Casts the standard rays from {@code origin} (metres, ego frame) through {@code labels} on {@code grid},
     * writing each ray's label into {@code outLabel} and its distance in metres into {@code outDist}, from
     * index {@code offset} on.
     */
    public static void cast(Occ3dGrid grid, Occ3dLabels labels, double[] origin, int[] outLabel, float[] outDist, int offset) {
        cast(grid, labels, origin, LIDAR_RAYS, outLabel, outDist, offset);
    }

    /** As {@link #cast(Occ3dGrid, Occ3dLabels, double[], int[], float[], int)} with caller-chosen directions. */
    public static void cast(Occ3dGrid grid, Occ3dLabels labels, double[] origin, float[][] rays, int[] outLabel, float[] outDist, int offset) {
        if (labels.nx() != grid.nx() || labels.ny() != grid.ny() || labels.nz() != grid.nz())
            throw new IllegalArgumentException("RayCaster: labels are " + labels.nx() + " x " + labels.ny() + " x " + labels.nz()
                    + ", the grid " + grid.nx() + " x " + grid.ny() + " x " + grid.nz());
        if (origin.length != 3) throw new IllegalArgumentException("RayCaster: origin must be [x, y, z], has " + origin.length + " entries");
        double vs = grid.voxelSize();
        double[] min = {grid.xMin(), grid.yMin(), grid.zMin()};
        float[] o = new float[3];
        for (int k = 0; k < 3; k++) o[k] = (float) ((origin[k] - min[k]) / vs);
        for (int r = 0; r < rays.length; r++) {
            float[] e = new float[3];
            // (ray + origin) first, then the offset, then the scale: the official expression order.
            for (int k = 0; k < 3; k++) e[k] = (float) ((rays[r][k] + origin[k] - min[k]) / vs);
            castOne(grid, labels, o, e, outLabel, outDist, offset + r);
        }
    }

    private static void castOne(Occ3dGrid grid, Occ3dLabels labels, float[] o, float[] e, int[] outLabel, float[] outDist, int at) {
        final int nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
        double xo = o[0], yo = o[1], zo = o[2];
        double rx = e[0] - xo, ry = e[1] - yo, rz = e[2] - zo;
        double len = Math.sqrt(rx * rx + ry * ry + rz * rz);
        double dx = rx / len, dy = ry / len, dz = rz / len;
        int vx = (int) xo, vy = (int) yo, vz = (int) zo;
        int stepX = dx >= 0 ? 1 : -1, stepY = dy >= 0 ? 1 : -1, stepZ = dz >= 0 ? 1 : -1;
        double tMaxX = dx != 0 ? ((vx + (stepX < 0 ? 0 : 1)) - xo) / dx : Double.MAX_VALUE;
        double tMaxY = dy != 0 ? ((vy + (stepY < 0 ? 0 : 1)) - yo) / dy : Double.MAX_VALUE;
        double tMaxZ = dz != 0 ? ((vz + (stepZ < 0 ? 0 : 1)) - zo) / dz : Double.MAX_VALUE;
        double tDeltaX = dx != 0 ? stepX / dx : Double.MAX_VALUE;
        double tDeltaY = dy != 0 ? stepY / dy : Double.MAX_VALUE;
        double tDeltaZ = dz != 0 ? stepZ / dz : Double.MAX_VALUE;

        boolean wasInside = false;
        int count = 0, step = 0;
        int lastIndex = 0;
        double lastD = 0;
        while (true) {
            boolean inside = vx >= 0 && vx < nx && vy >= 0 && vy < ny && vz >= 0 && vz < nz;
            int cur = 0;
            if (inside) {
                wasInside = true;
                cur = (vx * ny + vy) * nz + vz;
            } else if (wasInside) {
                break; // left the grid for good
            }
            double d; // where the ray leaves the current voxel
            if (tMaxX < tMaxY) {
                if (tMaxX < tMaxZ) { d = tMaxX; vx += stepX; tMaxX += tDeltaX; }
                else { d = tMaxZ; vz += stepZ; tMaxZ += tDeltaZ; }
            } else {
                if (tMaxY < tMaxZ) { d = tMaxY; vy += stepY; tMaxY += tDeltaY; }
                else { d = tMaxZ; vz += stepZ; tMaxZ += tDeltaZ; }
            }
            if (inside) {
                if (labels.label(cur) != Occ3d.FREE) { // the first occupied voxel decides; the rest of the path cannot change it
                    outLabel[at] = labels.label(cur);
                    outDist[at] = (float) d * grid.voxelSize();
                    return;
                }
                count++;
                lastIndex = cur;
                lastD = d;
            }
            step++;
            if (step > MAX_STEP) break;
        }
        if (count == 0) { // never entered the grid: the renderer's untouched defaults
            outLabel[at] = labels.label(0);
            outDist[at] = -1f * grid.voxelSize();
        } else {
            outLabel[at] = labels.label(lastIndex);
            outDist[at] = (float) lastD * grid.voxelSize();
        }
    }
}
