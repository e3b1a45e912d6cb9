#!/usr/bin/python3
"""The state dict of a small OpenPCDet VoxelRCNNHead, for checking that fuse3d's RoiHead names and shapes match.

Run from the repository root:  /usr/bin/python3 tests/golden/models/gen_voxelrcnn_head_state.py
Writes models/src/test/resources/golden/voxelrcnn_head_state.safetensors (the tensors under their state-dict names).

OpenPCDet is not installed here, so the module tree is restated in plain torch.nn from voxelrcnn_head.py and
pointnet2_stack/voxel_pool_modules.py (written here, not copied): per source a NeighborVoxelSAModuleMSG with
mlps_in[k] = Sequential(Conv1d(C_in, C_mid, 1, bias=False), BatchNorm1d), mlps_pos[k] = Sequential(Conv2d(3, C_mid, 1,
bias=False), BatchNorm2d), mlps_out[k] = Sequential(Conv1d(C_mid, C_out, 1, bias=False), BatchNorm1d, ReLU); then
shared_fc_layer / cls_fc_layers / reg_fc_layers as Linear(bias=False), BatchNorm1d, ReLU, with Dropout between widths,
and cls_pred_layer / reg_pred_layer Linears with bias. Config: grid 2, sources x_conv2 (5 ch, MLPS [[4, 4]]) and
x_conv3 (6 ch, MLPS [[4, 3]]), SHARED_FC [8, 8], CLS_FC [6, 6], REG_FC [6], DP_RATIO 0.3, class agnostic.
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from golden_common import FixtureFile  # noqa: E402

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "models", "src", "test",
                                    "resources", "golden", "voxelrcnn_head_state.safetensors"))


class PoolLayer(nn.Module):
    def __init__(self, mlps):
        super().__init__()
        self.mlps_in, self.mlps_pos, self.mlps_out = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for c_in, c_mid, c_out in mlps:
            self.mlps_in.append(nn.Sequential(nn.Conv1d(c_in, c_mid, 1, bias=False), nn.BatchNorm1d(c_mid)))
            self.mlps_pos.append(nn.Sequential(nn.Conv2d(3, c_mid, 1, bias=False), nn.BatchNorm2d(c_mid)))
            self.mlps_out.append(nn.Sequential(nn.Conv1d(c_mid, c_out, 1, bias=False), nn.BatchNorm1d(c_out), nn.ReLU()))


def fc(pre, widths, dp):
    layers = []
    for k, w in enumerate(widths):
        layers += [nn.Linear(pre, w, bias=False), nn.BatchNorm1d(w), nn.ReLU()]
        pre = w
        if k != len(widths) - 1 and dp > 0:
            layers.append(nn.Dropout(dp))
    return nn.Sequential(*layers), pre


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.roi_grid_pool_layers = nn.ModuleList([PoolLayer([[5, 4, 4]]), PoolLayer([[6, 4, 3]])])
        pre = 2 * 2 * 2 * (4 + 3)
        self.shared_fc_layer, pre = fc(pre, [8, 8], 0.3)
        self.cls_fc_layers, c = fc(pre, [6, 6], 0.3)
        self.cls_pred_layer = nn.Linear(c, 1, bias=True)
        self.reg_fc_layers, r = fc(pre, [6], 0.3)
        self.reg_pred_layer = nn.Linear(r, 7, bias=True)


def main():
    torch.manual_seed(0)
    fx = FixtureFile()
    for name, t in Head().state_dict().items():
        fx.tensors[name] = t.detach().numpy()
    fx.write(OUT)


if __name__ == "__main__":
    main()
