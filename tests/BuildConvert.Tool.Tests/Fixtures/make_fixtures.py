#!/usr/bin/python3
"""Generates the tool test fixtures with Debian's PyTorch and onnx (run with /usr/bin/python3).

small_cnn.onnx          a small CNN exported by torch.onnx.export (opset 13, dynamic batch dimension 'batch')
small_cnn_ext/          the same model saved by onnx with its large tensors in external data (model.onnx + weights.bin)
small_cnn_torch_golden/ inputs.npz + outputs.npz: a seeded batch of 2 images and PyTorch's own outputs for them
inspect_expected.txt    the numbers onnx itself reports for small_cnn.onnx (what the inspect tests assert)
"""
import collections
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, padding=1)
        self.fc = torch.nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return torch.softmax(self.fc(x), dim=1)


def main():
    torch.manual_seed(1234)
    model = SmallCnn().eval()
    path = os.path.join(HERE, "small_cnn.onnx")
    torch.onnx.export(model, torch.randn(2, 3, 16, 16), path, opset_version=13,
                      input_names=["image"], output_names=["probabilities"],
                      dynamic_axes={"image": {0: "batch"}, "probabilities": {0: "batch"}})

    golden_dir = os.path.join(HERE, "small_cnn_torch_golden")
    os.makedirs(golden_dir, exist_ok=True)
    image = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(99))
    with torch.no_grad():
        probabilities = model(image)
    np.savez(os.path.join(golden_dir, "inputs.npz"), image=image.numpy())
    np.savez(os.path.join(golden_dir, "outputs.npz"), probabilities=probabilities.numpy())

    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ext_dir = os.path.join(HERE, "small_cnn_ext")
    os.makedirs(ext_dir, exist_ok=True)
    for stale in ("model.onnx", "weights.bin"):  # onnx appends to an existing data file
        if os.path.exists(os.path.join(ext_dir, stale)):
            os.remove(os.path.join(ext_dir, stale))
    onnx.save_model(m, os.path.join(ext_dir, "model.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="weights.bin", size_threshold=1024)

    m = onnx.load(path)  # save_model above moved m's tensors out; start again from the file
    inits = m.graph.initializer
    names = {t.name for t in inits}
    arrays = [numpy_helper.to_array(t) for t in inits]
    ext = onnx.load(os.path.join(ext_dir, "model.onnx"), load_external_data=False)
    external_bytes = sum(int(np.prod(t.dims)) * onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[t.data_type].itemsize
                         for t in ext.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL)
    with open(os.path.join(HERE, "inspect_expected.txt"), "w") as f:
        f.write(f"ir_version {m.ir_version}\n")
        f.write(f"producer {m.producer_name} {m.producer_version}\n")
        f.write(f"opsets {[(o.domain, o.version) for o in m.opset_import]}\n")
        f.write(f"inputs {[(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in m.graph.input if i.name not in names]}\n")
        f.write(f"outputs {[(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in m.graph.output]}\n")
        f.write(f"op_histogram {sorted(collections.Counter(n.op_type for n in m.graph.node).items())}\n")
        f.write(f"initializers {len(inits)}\n")
        f.write(f"parameter_count {sum(int(a.size) for a in arrays)}\n")
        f.write(f"parameter_bytes {sum(int(a.nbytes) for a in arrays)}\n")
        f.write(f"external_data_bytes (small_cnn_ext) {external_bytes}\n")
        f.write(f"versions torch {torch.__version__} onnx {onnx.__version__} numpy {np.__version__}\n")


if __name__ == "__main__":
    main()
