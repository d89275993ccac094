//! One colour per optimizer, the same in the plot, the chart, the legend and the table.

use contract::training::OptimizerName;

pub fn of(optimizer: OptimizerName) -> &'static str {
    match optimizer {
        OptimizerName::Gd => "#1f3a93",
        OptimizerName::Sgd => "#ff4fa3",
        OptimizerName::Minibatch => "#8fd3ff",
        OptimizerName::Momentum => "#ff8c1a",
        OptimizerName::Nesterov => "#ff3b3b",
        OptimizerName::Adagrad => "#c77dff",
        OptimizerName::Rmsprop => "#a0522d",
        OptimizerName::Adam => "#2ee59d",
    }
}

/// The name a student reads.
pub fn label(optimizer: OptimizerName) -> &'static str {
    match optimizer {
        OptimizerName::Gd => "GD (full batch)",
        OptimizerName::Sgd => "SGD",
        OptimizerName::Minibatch => "Mini-batch GD",
        OptimizerName::Momentum => "Momentum",
        OptimizerName::Nesterov => "Nesterov",
        OptimizerName::Adagrad => "AdaGrad",
        OptimizerName::Rmsprop => "RMSProp",
        OptimizerName::Adam => "Adam",
    }
}
