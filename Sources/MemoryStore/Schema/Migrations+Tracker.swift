extension Migrations {
    /// The execution tracker (`memoryd plan load`): the loaded plan's milestones, packets,
    /// systems and their dependencies. Replaced as a whole on every load; status is derived at
    /// read time from runs and transitions, never stored.
    static let trackerTables = Migration(version: 10, name: "execution tracker", sql: """
        CREATE TABLE plans (
            name VARCHAR NOT NULL,
            source VARCHAR,
            loaded_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE milestones (
            milestone_id VARCHAR NOT NULL,
            ord INTEGER NOT NULL,
            title VARCHAR NOT NULL,
            scope VARCHAR NOT NULL,
            priority VARCHAR NOT NULL
        );
        CREATE TABLE packets (
            packet_id VARCHAR NOT NULL,
            milestone_id VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            priority VARCHAR NOT NULL,
            ord INTEGER NOT NULL
        );
        CREATE TABLE systems (
            system_id VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            ord INTEGER NOT NULL
        );
        -- kind: milestone, packet or system; `id` depends on `depends_on`, the plan's `ord`-th one.
        CREATE TABLE dependencies (
            kind VARCHAR NOT NULL,
            id VARCHAR NOT NULL,
            depends_on VARCHAR NOT NULL,
            ord INTEGER NOT NULL
        );
        """)
}
