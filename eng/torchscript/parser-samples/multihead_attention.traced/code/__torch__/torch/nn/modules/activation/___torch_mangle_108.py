class MultiheadAttention(Module):
  __parameters__ = ["in_proj_weight", "in_proj_bias", ]
  __buffers__ = []
  in_proj_weight : Tensor
  in_proj_bias : Tensor
  training : bool
  _is_full_backward_hook : Optional[bool]
  out_proj : __torch__.torch.nn.modules.linear.___torch_mangle_107.NonDynamicallyQuantizableLinear
  def forward(self: __torch__.torch.nn.modules.activation.___torch_mangle_108.MultiheadAttention,
    query: Tensor,
    key: Tensor,
    value: Tensor) -> Tuple[Tensor, Tensor]:
    out_proj = self.out_proj
    bias = out_proj.bias
    out_proj0 = self.out_proj
    weight = out_proj0.weight
    in_proj_bias = self.in_proj_bias
    in_proj_weight = self.in_proj_weight
    tgt_len = ops.prim.NumToTensor(torch.size(query, 0))
    _0 = int(tgt_len)
    _1 = int(tgt_len)
    _2 = int(tgt_len)
    bsz = ops.prim.NumToTensor(torch.size(query, 1))
    _3 = int(bsz)
    _4 = int(bsz)
    embed_dim = ops.prim.NumToTensor(torch.size(query, 2))
    _5 = int(embed_dim)
    head_dim = torch.div(embed_dim, CONSTANTS.c0, rounding_mode="trunc")
    _6 = int(head_dim)
    _7 = int(head_dim)
    _8 = int(head_dim)
    w_q, w_k, w_v, = torch.chunk(in_proj_weight, 3)
    b_q, b_k, b_v, = torch.chunk(in_proj_bias, 3)
    q = torch.linear(query, w_q, b_q)
    k = torch.linear(key, w_k, b_k)
    v = torch.linear(value, w_v, b_v)
    q0 = torch.contiguous(q)
    _9 = [_2, int(torch.mul(bsz, CONSTANTS.c0)), _8]
    q1 = torch.transpose(torch.view(q0, _9), 0, 1)
    k0 = torch.contiguous(k)
    _10 = ops.prim.NumToTensor(torch.size(k0, 0))
    _11 = [int(_10), int(torch.mul(bsz, CONSTANTS.c0)), _7]
    k1 = torch.transpose(torch.view(k0, _11), 0, 1)
    v0 = torch.contiguous(v)
    _12 = ops.prim.NumToTensor(torch.size(v0, 0))
    _13 = [int(_12), int(torch.mul(bsz, CONSTANTS.c0)), _6]
    v1 = torch.transpose(torch.view(v0, _13), 0, 1)
    src_len = ops.prim.NumToTensor(torch.size(k1, 1))
    _14 = int(src_len)
    q_scaled = torch.div(q1, CONSTANTS.c1)
    input = torch.bmm(q_scaled, torch.transpose(k1, -2, -1))
    attn_output_weights = torch.softmax(input, -1)
    attn_output = torch.bmm(attn_output_weights, v1)
    _15 = torch.contiguous(torch.transpose(attn_output, 0, 1))
    attn_output0 = torch.view(_15, [int(torch.mul(tgt_len, bsz)), _5])
    attn_output1 = torch.linear(attn_output0, weight, bias)
    _16 = ops.prim.NumToTensor(torch.size(attn_output1, 1))
    _17 = torch.view(attn_output1, [_1, _4, int(_16)])
    attn_output_weights0 = torch.view(attn_output_weights, [_3, 2, _0, _14])
    _18 = torch.sum(attn_output_weights0, [1])
    return (_17, torch.div(_18, CONSTANTS.c0))
