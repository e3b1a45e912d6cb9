/**
 * OpenPCDet-style YAML configuration: {@link fuse3d.models.config.ConfigSource} loads presets and files with
 * {@code _BASE_CONFIG_} inheritance and {@code --set} overrides into {@link fuse3d.models.config.ConfigNode} trees
 * that remember each value's file and line; {@link fuse3d.models.config.ConfigBinder} binds them onto records
 * ({@link fuse3d.models.config.DataConfig}, {@link fuse3d.models.config.OptimizationConfig}, the model's own) with
 * errors that name file, line and key path. Presets live in {@code resources/fuse3d/models/configs}.
 */
package fuse3d.models.config;
