#!/usr/bin/env python3
"""Reference attributions from plain PyTorch autograd, for dl4j-interpret's PyTorchReferenceTest.

Run by hand (not by CI, not by `mvn test`) with Debian's PyTorch:

    apt-get install python3-torch python3-numpy
    /usr/bin/python3 tools/reference/make_fixtures.py dl4j-interpret-core/src/test/resources/reference

It builds two small seeded networks in double precision, a VGG-like stack (conv-relu x2, max pool, conv-relu, max
pool, linear-relu, linear) and a ResNet-like graph (conv, batch norm, relu, a residual block of two conv + batch norm
with an addition, global average pooling, linear), and writes, per network, its weights, an input batch and the
reference results of: logits, saliency (the raw input gradient), gradient x input, integrated gradients (a seeded
noise baseline, 16 Gauss-Legendre points and 16-point left/right/middle/trapezoid Riemann rules, the trapezoid with the
true weights: both ends halved, weights summing to 1), guided backpropagation and deconvnet (ReLU modules
replaced by autograd functions with the rules' backward), occlusion (4x4 zero patch, stride 2, the score drop
averaged over the windows covering each pixel, the last window flush with the border) and Grad-CAM at the last
convolution both before and after its ReLU (channel weights = spatial mean of the gradient, no ReLU on the map, at
the layer's resolution, as Captum's LayerGradCam with relu_attributions=False). Targets: the logit of class
[0, 1, 2] for examples 0, 1, 2. Inputs are continuous random values; the only max-pooling ties are windows of ReLU
zeros, which matter under the deconvnet rule alone, and there the reference splits the gradient equally among the
tied elements, the library's documented rule (PyTorch's own max pooling gives it to one of them).
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
TARGETS = [0, 1, 2]
STEPS = 16


class GuidedRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.clamp(min=0) * (x > 0).to(g.dtype)


class DeconvRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        return g.clamp(min=0)


class TiedMaxPool(torch.autograd.Function):
    """2x2/2 max pooling whose backward splits a window's gradient equally among tied maxima: the library's
    documented subgradient (PyTorch's own gives it to one element). Ties occur under the deconvnet rule, which
    sends gradient through windows of ReLU zeros."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return F.max_pool2d(x, 2)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        n, c, h, w = x.shape
        cols = F.unfold(x.reshape(n * c, 1, h, w), 2, stride=2)  # [n*c, 4, windows]
        mask = (cols == cols.max(dim=1, keepdim=True).values).to(g.dtype)
        share = mask / mask.sum(dim=1, keepdim=True) * g.reshape(n * c, 1, -1)
        return F.fold(share, (h, w), 2, stride=2).reshape(n, c, h, w)


def relu_for(rule):
    return {"normal": F.relu, "guided": GuidedRelu.apply, "deconvnet": DeconvRelu.apply}[rule]


class VggLike(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(4, 6, 3, padding=1)
        self.conv3 = torch.nn.Conv2d(6, 8, 3, padding=1)
        self.fc1 = torch.nn.Linear(8 * 3 * 3, 10)
        self.fc2 = torch.nn.Linear(10, 4)

    def forward(self, x, rule="normal", keep=None):
        relu = relu_for(rule)
        x = relu(self.conv1(x))
        x = TiedMaxPool.apply(relu(self.conv2(x)))
        pre = self.conv3(x)
        post = relu(pre)
        if keep is not None:
            keep["pre"], keep["post"] = pre, post
        x = TiedMaxPool.apply(post)
        x = relu(self.fc1(x.flatten(1)))
        return self.fc2(x)

    def weights(self):
        return {"conv1_W": self.conv1.weight, "conv1_b": self.conv1.bias, "conv2_W": self.conv2.weight,
                "conv2_b": self.conv2.bias, "conv3_W": self.conv3.weight, "conv3_b": self.conv3.bias,
                "fc1_W": self.fc1.weight, "fc1_b": self.fc1.bias, "fc2_W": self.fc2.weight, "fc2_b": self.fc2.bias}


class ResNetLike(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.stem_bn = torch.nn.BatchNorm2d(4)
        self.a = torch.nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.a_bn = torch.nn.BatchNorm2d(4)
        self.b = torch.nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.b_bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x, rule="normal", keep=None):
        relu = relu_for(rule)
        s = relu(self.stem_bn(self.stem(x)))
        y = relu(self.a_bn(self.a(s)))
        pre = self.b_bn(self.b(y)) + s
        post = relu(pre)
        if keep is not None:
            keep["pre"], keep["post"] = pre, post
        return self.fc(post.mean(dim=(2, 3)))

    def weights(self):
        out = {"stem_W": self.stem.weight, "a_W": self.a.weight, "b_W": self.b.weight, "fc_W": self.fc.weight,
               "fc_b": self.fc.bias}
        for name in ("stem_bn", "a_bn", "b_bn"):
            bn = getattr(self, name)
            out[name + "_gamma"] = bn.weight
            out[name + "_beta"] = bn.bias
            out[name + "_mean"] = bn.running_mean
            out[name + "_var"] = bn.running_var
        return out


def target_sum(logits):
    return sum(logits[i, t] for i, t in enumerate(TARGETS))


def input_gradient(net, x, rule="normal"):
    x = x.clone().requires_grad_(True)
    target_sum(net(x, rule)).backward()
    return x.grad.detach()


def rule_points(kind, n):
    if kind == "gauss_legendre":
        t, w = np.polynomial.legendre.leggauss(n)
        return (t + 1) / 2, w / 2
    k = np.arange(n, dtype=np.float64)
    if kind == "left":
        return k / n, np.full(n, 1.0 / n)
    if kind == "right":
        return (k + 1) / n, np.full(n, 1.0 / n)
    if kind == "middle":
        return (k + 0.5) / n, np.full(n, 1.0 / n)
    w = np.full(n, 1.0 / (n - 1))
    w[0] = w[-1] = 0.5 / (n - 1)
    return k / (n - 1), w


def integrated_gradients(net, x, x0, kind):
    alphas, weights = rule_points(kind, STEPS)
    total = torch.zeros_like(x)
    for a, w in zip(alphas, weights):
        total += w * input_gradient(net, x0 + a * (x - x0))
    return (x - x0) * total


def positions(size, window, stride):
    p = list(range(0, size - window + 1, stride))
    if p[-1] != size - window:
        p.append(size - window)
    return p


def occlusion(net, x, window=4, stride=2):
    n, c, h, w = x.shape
    with torch.no_grad():
        base = net(x)
        total = torch.zeros(n, h, w)
        count = torch.zeros(h, w)
        for y in positions(h, window, stride):
            for xx in positions(w, window, stride):
                occluded = x.clone()
                occluded[:, :, y:y + window, xx:xx + window] = 0
                out = net(occluded)
                for i, t in enumerate(TARGETS):
                    total[i, y:y + window, xx:xx + window] += base[i, t] - out[i, t]
                count[y:y + window, xx:xx + window] += 1
    return total / count


def grad_cam(net, x, which):
    keep = {}
    logits = net(x, keep=keep)
    act = keep[which]
    grad, = torch.autograd.grad(target_sum(logits), act)
    weights = grad.mean(dim=(2, 3), keepdim=True)
    return (weights * act).sum(dim=1).detach()


def randomise_batch_norm(net, gen):
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data = 0.5 + torch.rand(m.num_features, generator=gen)
            m.bias.data = torch.randn(m.num_features, generator=gen) * 0.2
            m.running_mean.data = torch.randn(m.num_features, generator=gen) * 0.3
            m.running_var.data = 0.5 + torch.rand(m.num_features, generator=gen)


def export(net, x, out):
    os.makedirs(out, exist_ok=True)
    save = lambda name, t: np.save(os.path.join(out, name + ".npy"), t.detach().numpy().astype(np.float64))
    for k, v in net.weights().items():
        save("w_" + k, v)
    save("input", x)
    with torch.no_grad():
        save("logits", net(x))
    g = input_gradient(net, x)
    save("saliency", g)
    save("gradient_x_input", g * x)
    # a noise baseline: an all-zero one would put the left rule's first point on max-pooling ties (every window
    # equal), where any subgradient is valid and PyTorch's choice is not the library's documented equal split
    x0 = torch.rand(x.shape, generator=torch.Generator().manual_seed(11)) * 0.1
    save("ig_baseline", x0)
    for kind in ("gauss_legendre", "left", "right", "middle", "trapezoid"):
        save("ig_" + kind, integrated_gradients(net, x, x0, kind))
    save("guided_backprop", input_gradient(net, x, "guided"))
    save("deconvnet", input_gradient(net, x, "deconvnet"))
    save("occlusion", occlusion(net, x))
    save("gradcam_pre", grad_cam(net, x, "pre"))
    save("gradcam_post", grad_cam(net, x, "post"))


def main(root):
    torch.manual_seed(20261201)
    gen = torch.Generator().manual_seed(7)
    vgg = VggLike().eval()
    export(vgg, torch.rand(3, 3, 12, 12, generator=gen), os.path.join(root, "vgg"))
    res = ResNetLike().eval()
    randomise_batch_norm(res, gen)
    export(res, torch.rand(3, 3, 10, 10, generator=gen) - 0.3, os.path.join(root, "resnet"))
    print("fixtures written under", root, "with torch", torch.__version__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dl4j-interpret-core/src/test/resources/reference")
