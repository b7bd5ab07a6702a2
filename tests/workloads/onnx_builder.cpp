#include "tests/workloads/onnx_builder.h"

#include <fstream>

namespace pcmsim::testing {

OnnxBuilder::OnnxBuilder(const std::vector<int64_t>& input_shape, int opset) {
  m_model.set_ir_version(7);
  m_model.add_opset_import()->set_version(opset);
  auto* in = m_model.mutable_graph()->add_input();
  in->set_name("input");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param("N");
  for (int64_t d : input_shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

void OnnxBuilder::initializer(const std::string& name, const std::vector<int64_t>& shape,
                              const std::vector<float>& data) {
  auto* t = m_model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : shape) t->add_dims(d);
  t->set_raw_data(
      std::string(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float)));
}

onnx::NodeProto& OnnxBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                   const std::string& output, const std::string& name) {
  auto* n = m_model.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name.empty() ? op + "_" + output : name);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(output);
  return *n;
}

void OnnxBuilder::attr_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void OnnxBuilder::attr_float(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

void OnnxBuilder::output(const std::string& name) {
  m_model.mutable_graph()->add_output()->set_name(name);
}

void OnnxBuilder::save(const std::string& path) const {
  std::ofstream f(path, std::ios::binary);
  m_model.SerializeToOstream(&f);
}

}  // namespace pcmsim::testing
