/**
 * The synthetic world: a seeded, sensor-agnostic street {@link fuse3d.data.synth.Scene} of composed shapes
 * ({@link fuse3d.data.synth.SceneGenerator}), sensor models that ray-cast it ({@link fuse3d.data.synth.Lidar},
 * {@link fuse3d.data.synth.Camera}), and dataset writers in the real formats ({@link fuse3d.data.synth.SyntheticKitti}).
 * A nuScenes writer reuses the scene and sensors with its own rig (32 beams, six cameras).
 */
package fuse3d.data.synth;
