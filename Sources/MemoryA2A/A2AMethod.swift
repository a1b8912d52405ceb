/// The JSON-RPC methods of both protocol versions, by what memoryd does with them.
enum A2AMethod: Sendable {
    case sendMessage, getTask, cancelTask
    /// Known methods of capabilities the card declares absent: they get the A2A error that
    /// says so rather than "method not found".
    case streaming, pushNotificationConfig, extendedAgentCard, listTasks

    /// The method and the protocol version its name belongs to; nil for an unknown name.
    static func named(_ name: String) -> (method: A2AMethod, version: A2AVersion)? { table[name] }

    private static let table: [String: (method: A2AMethod, version: A2AVersion)] = [
        "SendMessage": (.sendMessage, .v1_0),
        "GetTask": (.getTask, .v1_0),
        "CancelTask": (.cancelTask, .v1_0),
        "ListTasks": (.listTasks, .v1_0),
        "SendStreamingMessage": (.streaming, .v1_0),
        "SubscribeToTask": (.streaming, .v1_0),
        "CreateTaskPushNotificationConfig": (.pushNotificationConfig, .v1_0),
        "GetTaskPushNotificationConfig": (.pushNotificationConfig, .v1_0),
        "ListTaskPushNotificationConfigs": (.pushNotificationConfig, .v1_0),
        "DeleteTaskPushNotificationConfig": (.pushNotificationConfig, .v1_0),
        "GetExtendedAgentCard": (.extendedAgentCard, .v1_0),
        "message/send": (.sendMessage, .v0_3),
        "tasks/get": (.getTask, .v0_3),
        "tasks/cancel": (.cancelTask, .v0_3),
        "message/stream": (.streaming, .v0_3),
        "tasks/resubscribe": (.streaming, .v0_3),
        "tasks/pushNotificationConfig/set": (.pushNotificationConfig, .v0_3),
        "tasks/pushNotificationConfig/get": (.pushNotificationConfig, .v0_3),
        "tasks/pushNotificationConfig/list": (.pushNotificationConfig, .v0_3),
        "tasks/pushNotificationConfig/delete": (.pushNotificationConfig, .v0_3),
        "agent/getAuthenticatedExtendedCard": (.extendedAgentCard, .v0_3),
    ]
}
