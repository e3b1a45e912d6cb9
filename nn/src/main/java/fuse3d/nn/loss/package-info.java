/**
 * Training losses with PyTorch's semantics (and, where PyTorch has no twin, the semantics of the project that
 * defined the loss: torchvision / mmdet focal losses, Berman et al.'s Lovasz-softmax, Hinton's distillation,
 * CRKD / FGD-style feature imitation for IMKD).
 *
 * <p>Every loss is a static function over {@link fuse3d.autograd.Var} predictions and constant
 * {@link fuse3d.tensor.Tensor} targets; its javadoc names its PyTorch (or reference) twin, and the golden
 * fixtures in {@code nn/src/test/resources/golden/losses.safetensors} (written by
 * {@code tests/golden/gen_losses.py}) hold that twin's values and input gradients. Derivatives come from the
 * composed Var ops, except where a fused rule is needed for numerical stability (binary cross-entropy with
 * logits). Shapes and dtypes are checked at the door; errors name the loss and the shapes.
 */
package fuse3d.nn.loss;
