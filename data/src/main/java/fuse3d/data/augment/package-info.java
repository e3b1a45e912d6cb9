/**
 * Training-time augmentation as OpenPCDet's data augmentor and data processor define it (GT sampling from the
 * GT database with BEV collision checks, world flip, rotation, scaling and translation, point shuffling, range
 * filtering), configured as a list of step records and driven by an explicit seeded
 * {@link fuse3d.tensor.Generator}; and camera-derived points: IP-Basic depth completion of projected LiDAR depth
 * ({@link fuse3d.data.augment.DepthCompletion}) and the pseudo points back-projected from it
 * ({@link fuse3d.data.augment.PseudoPoints}), which every scene transform moves together with the LiDAR points.
 */
package fuse3d.data.augment;
