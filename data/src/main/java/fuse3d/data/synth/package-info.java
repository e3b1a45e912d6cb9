/**
 * The synthetic world: a seeded, sensor-agnostic street {@link fuse3d.data.synth.Scene} of composed shapes
 * ({@link fuse3d.data.synth.SceneGenerator}), sensor models that ray-cast it ({@link fuse3d.data.synth.Lidar},
 * {@link fuse3d.data.synth.Camera}), and dataset writers in the real formats ({@link fuse3d.data.synth.SyntheticKitti}).
 * {@link fuse3d.data.synth.SyntheticNuScenes} drives an ego car down the same streets with a 32-beam LiDAR (20 Hz),
 * the five radars ({@link fuse3d.data.synth.Radar}, 13 Hz) and the six cameras (key frames, optionally 12 Hz sweeps)
 * of {@link fuse3d.data.synth.NuScenesRig}, every sensor with its key frames and sweeps; {@link fuse3d.data.synth.SyntheticOcc3d} adds Occ3D semantic occupancy with LiDAR
 * and camera visibility masks for its key frames; {@link fuse3d.data.synth.DataBench} measures data loading on both.
 */
package fuse3d.data.synth;
