import Contracts

extension A2ADispatcher {
    /// `GetTask` / `tasks/get`: a task by id, while the task store still holds it.
    func getTask(_ params: JSONObject, version: A2AVersion) throws(A2AError) -> JSONValue {
        let task = try storedTask(params)
        return task.json(version, historyLength: try Self.historyLength(params["historyLength"]))
    }

    /// `CancelTask` / `tasks/cancel`. Every task is finished by the time its id is known (the
    /// operation ran inside `SendMessage`), so an existing task is never cancelable.
    func cancelTask(_ params: JSONObject, version: A2AVersion) throws(A2AError) -> JSONValue {
        let task = try storedTask(params)
        throw .taskNotCancelable(task.id, state: task.stateName(version))
    }

    private func storedTask(_ params: JSONObject) throws(A2AError) -> A2ATask {
        guard let id = params["id"]?.stringValue, !id.isEmpty else { throw .invalidParams("params.id (the task id) is required") }
        guard let task = tasks.task(id: id) else { throw .taskNotFound(id) }
        return task
    }
}
