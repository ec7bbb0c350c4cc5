mod sim_support;
