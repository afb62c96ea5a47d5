#!/usr/bin/env python3
"""ONNX fixtures for dl4j-interpret-onnx's import tests: PyTorch models exported as a user would, with reference
attributions from plain PyTorch autograd.

Run by hand (not by CI, not by `mvn test`) with Debian's PyTorch (`apt-get install python3-torch python3-numpy`):

    /usr/bin/python3 tools/reference/export_onnx.py dl4j-interpret-onnx/src/test/resources/onnx

It takes the two networks of make_fixtures.py (a VGG-like stack with a linear head, exported with Gemm; a ResNet-like
graph with batch norm, a residual addition and global average pooling) with the weights stored under
dl4j-interpret-core/src/test/resources/reference, converts them to float32 (what exported models carry) and writes:

  vgg.onnx            torch.onnx.export at opset 13, eval mode (the default)
  vgg_matmul.onnx     the same network with its linear layers written as x @ W^T + b (MatMul and Add nodes)
  resnet_folded.onnx  the same for the ResNet-like net: PyTorch folds each batch norm into the convolution before
                      it, naming the folded weights "onnx::Conv_NN"
  resnet_bn.onnx      exported with training=PRESERVE from eval mode: batch norms kept as BatchNormalization nodes

and, per network, in float64 from the float32 weights: the input batch, logits, saliency, gradient x input,
integrated gradients (zero baseline, 16 Gauss-Legendre points), guided backpropagation, Grad-CAM after the last
convolution's ReLU, occlusion (4x4 zero patch, stride 2), and against make_fixtures.py's noise baseline DeepLIFT
(Rescale; RevealCancel on the ResNet-like net) and LRP composites (montavon(0, 1) and epsilonAlpha2Beta1 on the VGG-like
net, epsilonPlus and epsilonGammaBox(-0.3, 0.7) on the ResNet-like one). Targets: the logit of class [0, 1, 2] for examples
0, 1, 2. The input and output are named "input" and "logits"; the batch dimension is dynamic.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402  (sets the default dtype to float64)

REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dl4j-interpret-core", "src",
                         "test", "resources", "reference")


class PlainVgg(torch.nn.Module):
    """make_fixtures.VggLike with PyTorch's own max pooling (exportable; the same values); with matmul_head its linear
    layers are written as x @ W^T + b, which exports as MatMul and Add instead of Gemm."""

    def __init__(self, net, matmul_head=False):
        super().__init__()
        self.net = net
        self.matmul_head = matmul_head

    def linear(self, layer, x):
        return x @ layer.weight.t() + layer.bias if self.matmul_head else layer(x)

    def forward(self, x, rule="normal", keep=None):
        n = self.net
        relu = mf.relu_for(rule)
        x = relu(n.conv1(x))
        x = F.max_pool2d(relu(n.conv2(x)), 2)
        post = relu(n.conv3(x))
        if keep is not None:
            keep["post"] = post
        x = F.max_pool2d(post, 2)
        x = relu(self.linear(n.fc1, x.flatten(1)))
        return self.linear(n.fc2, x)


class PlainResNet(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x, rule="normal", keep=None):
        return self.net(x, rule, keep)


def load(net, folder):
    params = dict(net.named_parameters())
    params.update(dict(net.named_buffers()))
    for k in net.weights():
        arr = torch.from_numpy(np.load(os.path.join(folder, "w_" + k + ".npy")))
        # make_fixtures names weights "conv1_W", "stem_bn_gamma", ...; map to the module's own names
        module, _, kind = k.rpartition("_")
        attr = {"W": "weight", "b": "bias", "gamma": "weight", "beta": "bias", "mean": "running_mean",
                "var": "running_var"}[kind]
        params[module + "." + attr].data.copy_(arr)


def references(model, net, x, x0, out):
    save = lambda name, t: np.save(os.path.join(out, name + ".npy"), t.detach().numpy().astype(np.float64))
    save("input", x)
    with torch.no_grad():
        save("logits", model(x))
    g = mf.input_gradient(model, x)
    save("saliency", g)
    save("gradient_x_input", g * x)
    save("ig_zero", mf.integrated_gradients(model, x, torch.zeros_like(x), "gauss_legendre"))
    save("guided_backprop", mf.input_gradient(model, x, "guided"))
    save("gradcam_post", mf.grad_cam(model, x, "post"))
    save("occlusion", mf.occlusion(model, x))
    # the rule-based methods, written out layer by layer in make_fixtures.py (batch norm folded by hand)
    save("rule_baseline", x0)
    eps = lambda e: ("epsilon", e)
    if isinstance(net, mf.VggLike):
        save("deeplift", mf.deeplift_vgg(net, x, x0))
        save("lrp_montavon", mf.lrp_vgg(net, x, [("zbox", (0.0, 1.0)), eps(0.25), eps(0.25), eps(0.0), eps(0.0)]))
        save("lrp_epsilon_alpha2beta1", mf.lrp_vgg(net, x, [("alphabeta", (2.0, 1.0))] * 3 + [eps(1e-6)] * 2))
    else:
        save("deeplift", mf.deeplift_resnet(net, x, x0))
        save("deeplift_revealcancel", mf.revealcancel_resnet(net, x, x0))
        save("lrp_epsilon_plus", mf.lrp_resnet(net, x, [("zplus", None)] * 3 + [eps(1e-6)]))
        save("lrp_epsilon_gamma_box", mf.lrp_resnet(net, x, [("zbox", (-0.3, 0.7)), ("gamma", 0.25),
                                                             ("gamma", 0.25), eps(1e-6)]))


def export(model, x, path, **kw):
    f32 = model.float()
    torch.onnx.export(f32, x.float(), path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **kw)
    model.double()


def main(out):
    os.makedirs(out, exist_ok=True)
    vgg = mf.VggLike().eval()
    load(vgg, os.path.join(REFERENCE, "vgg"))
    res = mf.ResNetLike().eval()
    load(res, os.path.join(REFERENCE, "resnet"))
    # eval mode on the wrappers too: with training=PRESERVE a wrapper left in training mode exports batch norms in
    # training mode (batch statistics) and updates their running statistics while tracing
    nets = {"vgg": (PlainVgg(vgg).eval(), vgg), "resnet": (PlainResNet(res).eval(), res)}
    for name, (model, net) in nets.items():
        # the float32 weights, in float64 for the references
        model.float().double()
        x = torch.from_numpy(np.load(os.path.join(REFERENCE, name, "input.npy"))).float().double()
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        x0 = torch.from_numpy(np.load(os.path.join(REFERENCE, name, "ig_baseline.npy"))).float().double()
        references(model, net, x, x0, folder)
        if name == "vgg":
            export(model, x, os.path.join(out, "vgg.onnx"))
            export(PlainVgg(net, matmul_head=True).eval(), x, os.path.join(out, "vgg_matmul.onnx"))
        else:
            export(model, x, os.path.join(out, "resnet_folded.onnx"))
            export(model, x, os.path.join(out, "resnet_bn.onnx"), training=torch.onnx.TrainingMode.PRESERVE,
                   do_constant_folding=False)
    print("ONNX fixtures written under", out, "with torch", torch.__version__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dl4j-interpret-onnx/src/test/resources/onnx")
