/**
 * Pictures a person reads to judge a model or a dataset, as PNG (Java2D and {@code javax.imageio} only):
 * precision-recall curves of the KITTI and nuScenes evaluations ({@link fuse3d.data.viz.PrCurvePicture}), a
 * bird's-eye view of one frame's points, GT boxes and detections ({@link fuse3d.data.viz.BevPicture}), and
 * Occ3D occupancy as a coloured BEV with side slices ({@link fuse3d.data.viz.OccupancyPicture}); and the
 * evaluation benchmark ({@link fuse3d.data.viz.EvalBench}). Every picture is a pure function of its input (same
 * input, same bytes) and is written through {@link fuse3d.tensor.io.AtomicFiles}.
 */
package fuse3d.data.viz;
