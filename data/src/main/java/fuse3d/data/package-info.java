/**
 * Datasets on disk in their real formats, their official evaluators, and the synthetic world that writes
 * those formats. Sub-packages: {@code kitti}, {@code nuscenes}, {@code occ3d}. Every reader names the file and
 * the line or byte offset when the input is bad; every writer writes to a temp file and moves it into place.
 */
package fuse3d.data;
