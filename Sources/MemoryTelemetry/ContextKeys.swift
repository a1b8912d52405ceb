import Tracing

// What this library keeps in the task-local `ServiceContext`, so child tasks and task groups
// inherit it.

/// The run a task works for.
enum RunKey: ServiceContextKey {
    typealias Value = RunState
}

/// The current stage's name, for the domain events emitted inside it.
enum StageKey: ServiceContextKey {
    typealias Value = String
}

/// Baggage received from another process, passed on to the next one (W3C asks to keep
/// entries this process does not use).
enum BaggageKey: ServiceContextKey {
    typealias Value = Baggage
}

/// Nesting depth, kept only for the console's indentation.
enum DepthKey: ServiceContextKey {
    typealias Value = Int
}
