#pragma once
// The component families the experiment reader reads from their tables
// (rsnn/components.hpp); component_families() lists them with the neuron models.
#include "rsnn/components.hpp"

namespace rsnn::config {

const ComponentFamily& top_level_family();
const ComponentFamily& population_family();
const ComponentFamily& recording_family();
const ComponentFamily& readout_family();
const ComponentFamily& protocol_family();
const ComponentFamily& synapses_family();
const ComponentFamily& pathway_family();
const ComponentFamily& connectivity_family();
const ComponentFamily& plastic_family();
const ComponentFamily& noise_family();
const ComponentFamily& learning_family();
const ComponentFamily& training_family();
const ComponentFamily& test_family();
const ComponentFamily& teacher_family();
const ComponentFamily& task_family();
const ComponentFamily& gradient_task_family();
const ComponentFamily& system_family();
const ComponentFamily& stimulus_family();
const ComponentFamily& target_family();
const ComponentFamily& signal_family();
const ComponentFamily& weights_family();

}  // namespace rsnn::config
