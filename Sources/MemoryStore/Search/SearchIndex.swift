import DuckDB

/// Full-text search over what agents remember: span names and messages, log bodies, event
/// payloads and facts, ranked by BM25 with DuckDB's `fts` extension.
///
/// The extension's index is a snapshot (`PRAGMA create_fts_index` reads the table once), and
/// rebuilding it for every arriving batch would stall a busy store. So the index is built once
/// and then kept fresh incrementally: `refresh` copies rows that arrived since its high-water
/// marks into `search_documents` and adds their terms to the extension's own tables (`docs`,
/// `terms`, `dict`, `stats` in schema `fts_main_search_documents`) exactly as the extension's
/// indexer would (same tokenizer macro, stopwords and Porter stemmer), so its `match_bm25`
/// scores them. Deleting a fact removes its terms too. Run every write of this type on one
/// serialized connection (the service's write lane), never on the ingest writer's.
public enum SearchIndex {
    public enum Kind: String, Sendable, CaseIterable {
        case span, log, event, fact
    }

    static let schema = "fts_main_search_documents"
    /// A fact's document reference: its namespace and key as a JSON array.
    static let factRef = "json_array(namespace, key)::VARCHAR"

    /// What one refresh did.
    public struct RefreshResult: Sendable, Equatable {
        public var added: Int
        public var rebuilt: Bool
    }

    /// The source of each kind: its rows since `$1`, as (kind, ref, time, run_id, trace_id, title, body).
    private static func sourceQuery(_ kind: Kind) -> (table: String, watermark: String, select: String) {
        switch kind {
        case .span:
            ("spans", "received_at", """
                SELECT 'span', trace_id || ':' || span_id, start_time, run_id, trace_id, name,
                       concat_ws(' ', name, message, exception_type, exception_message, status_message)
                FROM spans WHERE received_at > $1 AND received_at <= $2
                """)
        case .log:
            ("logs", "received_at", """
                SELECT 'log', log_key, time, run_id, trace_id, coalesce(event_name, severity_text, 'log'),
                       concat_ws(' ', event_name, message)
                FROM logs WHERE received_at > $1 AND received_at <= $2
                """)
        case .event:
            ("events", "received_at", """
                SELECT 'event', source || '/' || id, time, run_id, trace_id, topic,
                       concat_ws(' ', topic, type, data::VARCHAR)
                FROM events WHERE received_at > $1 AND received_at <= $2
                """)
        case .fact:
            ("memories", "updated_at", """
                SELECT 'fact', \(factRef), updated_at, run_id, trace_id, namespace || '/' || key,
                       concat_ws(' ', namespace, key, value::VARCHAR)
                FROM memories WHERE updated_at > $1 AND updated_at <= $2
                """)
        }
    }

    /// Copies new source rows into `search_documents` and indexes them in one transaction;
    /// builds the index from scratch when it does not exist yet (the extension's builder runs
    /// outside an explicit transaction: inside one it changes a setting, which the sandbox's
    /// locked configuration refuses).
    @discardableResult
    public static func refresh(on connection: Connection) throws -> RefreshResult {
        let lastIndexed = try indexedThrough(on: connection)
        let added = try connection.transaction {
            var added = 0
            for kind in Kind.allCases { added += try collect(kind, on: connection) }
            if let lastIndexed, added > 0 { try indexDocuments(after: lastIndexed, on: connection) }
            return added
        }
        guard lastIndexed == nil else { return RefreshResult(added: added, rebuilt: false) }
        try connection.execute(
            "PRAGMA create_fts_index('search_documents', 'doc_id', 'body', stemmer = 'porter', overwrite = 1)")
        return RefreshResult(added: added, rebuilt: true)
    }

    /// The highest `doc_id` in the index (-1 when empty), or nil when there is no index.
    private static func indexedThrough(on connection: Connection) throws -> Int64? {
        let exists = try connection.query("""
            SELECT count(*) FROM duckdb_tables() WHERE schema_name = '\(schema)' AND table_name = 'docs'
            """).rows[0][0].int64 ?? 0
        guard exists > 0 else { return nil }
        return try connection.query("SELECT coalesce(max(name), -1) FROM \(schema).docs").rows[0][0].int64 ?? -1
    }

    private static func collect(_ kind: Kind, on connection: Connection) throws -> Int {
        let source = sourceQuery(kind)
        let marks = try connection.prepare("""
            SELECT (SELECT watermark FROM search_state WHERE kind = $1), (SELECT max(\(source.watermark)) FROM \(source.table))
            """)
        try marks.bind([.text(kind.rawValue)])
        let row = try marks.query().rows[0]
        guard case .timestamp(let newest) = row[1] else { return 0 }
        let since: Value = row[0].isNull ? .timestamp(Int64.min / 2) : row[0]
        if since == .timestamp(newest) { return 0 }
        if kind == .fact {
            // A new version replaces the fact's document.
            let replaced = try connection.prepare("""
                SELECT \(factRef) FROM memories WHERE updated_at > $1 AND updated_at <= $2
                """)
            try replaced.bind([since, .timestamp(newest)])
            let refs = try replaced.query().rows.compactMap { $0[0].string }
            if !refs.isEmpty {
                let list = refs.map(SQL.literal).joined(separator: ",")
                _ = try removeDocuments(kind: .fact, refsQuery: "SELECT unnest([\(list)])", on: connection)
            }
        }
        let insert = try connection.prepare("""
            INSERT INTO search_documents (doc_id, kind, ref, time, run_id, trace_id, title, body)
            SELECT nextval('search_document_ids'), * FROM (\(source.select))
            """)
        try insert.bind([since, .timestamp(newest)])
        let count = try insert.execute()
        let mark = try connection.prepare("INSERT OR REPLACE INTO search_state VALUES ($1, $2)")
        try mark.bind([.text(kind.rawValue), .timestamp(newest)])
        try mark.execute()
        return count
    }

    /// Adds documents with `doc_id > after` to the extension's tables the way its indexer does.
    private static func indexDocuments(after: Int64, on connection: Connection) throws {
        let s = schema
        try connection.execute("""
            CREATE OR REPLACE TEMP TABLE fts_new_terms AS
            WITH words AS (
                SELECT doc_id, unnest(\(s).tokenize(body)) AS w FROM search_documents WHERE doc_id > \(after)
            )
            SELECT doc_id, stem(w, 'porter') AS term FROM words
            WHERE w NOT IN (SELECT sw FROM \(s).stopwords) AND w <> '';
            INSERT INTO \(s).docs
            SELECT (SELECT coalesce(max(docid), -1) FROM \(s).docs) + row_number() OVER (ORDER BY d.doc_id),
                   d.doc_id, coalesce(n.len, 0)
            FROM (SELECT doc_id FROM search_documents WHERE doc_id > \(after)) d
            LEFT JOIN (SELECT doc_id, count(*) AS len FROM fts_new_terms GROUP BY doc_id) n USING (doc_id);
            INSERT INTO \(s).dict
            SELECT (SELECT coalesce(max(termid), -1) FROM \(s).dict) + row_number() OVER (ORDER BY term), term, 0
            FROM (SELECT DISTINCT term FROM fts_new_terms WHERE term NOT IN (SELECT term FROM \(s).dict));
            UPDATE \(s).dict SET df = dict.df + c.n
            FROM (SELECT term, count(DISTINCT doc_id) AS n FROM fts_new_terms GROUP BY term) c
            WHERE dict.term = c.term;
            INSERT INTO \(s).terms
            SELECT docs.docid, 0, dict.termid
            FROM fts_new_terms t JOIN \(s).docs docs ON docs.name = t.doc_id JOIN \(s).dict dict ON dict.term = t.term;
            UPDATE \(s).stats SET num_docs = (SELECT count(*) FROM \(s).docs),
                                  avgdl = (SELECT coalesce(avg(len), 0) FROM \(s).docs);
            DROP TABLE fts_new_terms;
            """)
    }

    /// Deletes the documents of `kind` whose ref is among `refsQuery`'s single column, from
    /// `search_documents` and from the index, dropping terms no other document uses. Returns
    /// how many documents went. Call inside the caller's transaction.
    static func removeDocuments(kind: Kind, refsQuery: String, on connection: Connection) throws -> Int {
        try connection.execute("""
            CREATE OR REPLACE TEMP TABLE fts_gone AS
            SELECT doc_id FROM search_documents WHERE kind = '\(kind.rawValue)' AND ref IN (\(refsQuery))
            """)
        defer { try? connection.execute("DROP TABLE IF EXISTS fts_gone") }
        let count = try connection.query("SELECT count(*) FROM fts_gone").rows[0][0].int64 ?? 0
        guard count > 0 else { return 0 }
        if try indexedThrough(on: connection) != nil {
            let s = schema
            try connection.execute("""
                CREATE OR REPLACE TEMP TABLE fts_gone_docids AS
                SELECT docid FROM \(s).docs WHERE name IN (SELECT doc_id FROM fts_gone);
                UPDATE \(s).dict SET df = dict.df - c.n
                FROM (SELECT termid, count(DISTINCT docid) AS n FROM \(s).terms
                      WHERE docid IN (SELECT docid FROM fts_gone_docids) GROUP BY termid) c
                WHERE dict.termid = c.termid;
                DELETE FROM \(s).terms WHERE docid IN (SELECT docid FROM fts_gone_docids);
                DELETE FROM \(s).docs WHERE docid IN (SELECT docid FROM fts_gone_docids);
                DELETE FROM \(s).dict WHERE df <= 0;
                UPDATE \(s).stats SET num_docs = (SELECT count(*) FROM \(s).docs),
                                      avgdl = (SELECT coalesce(avg(len), 0) FROM \(s).docs);
                DROP TABLE fts_gone_docids;
                """)
        }
        try connection.execute("DELETE FROM search_documents WHERE doc_id IN (SELECT doc_id FROM fts_gone)")
        return Int(count)
    }
}

extension SearchIndex {
    public struct Filters: Sendable {
        public var runID: String?
        /// Microseconds since the Unix epoch, inclusive / exclusive.
        public var since: Int64?
        public var until: Int64?
        public var kinds: [Kind]?

        public init() {}
    }

    public struct Match: Sendable {
        public var kind: Kind
        public var ref: String
        public var time: Int64
        public var runID: String?
        public var traceID: String?
        public var title: String?
        public var body: String
        public var score: Double
    }

    public struct SearchResult: Sendable {
        public var matches: [Match]
        /// The newest indexed row's time: rows that arrived later are not searchable yet.
        public var indexedThrough: Int64?
    }

    /// The best `limit` documents for `text` by BM25, newest first among equal scores. A run
    /// filter also matches spans whose trace belongs to the run (their run id may have been
    /// inherited after they were indexed).
    ///
    /// Scores are exactly those of the extension's `match_bm25` (same tokenizer, stemmer,
    /// statistics and formula, k1 = 1.2, b = 0.75), computed set-wise from the postings of the
    /// query's terms instead of once per document, which the macro's per-row form does.
    public static func search(_ text: String, filters: Filters, limit: Int, on connection: Connection) throws -> SearchResult {
        guard try indexedThrough(on: connection) != nil else { return SearchResult(matches: [], indexedThrough: nil) }
        let s = schema
        let statement = try connection.prepare("""
            WITH tokens AS (SELECT DISTINCT stem(unnest(\(s).tokenize($1)), 'porter') AS t),
            qterms AS (SELECT termid, df FROM \(s).dict dict JOIN tokens ON dict.term = tokens.t),
            tf AS (SELECT docid, termid, count(*) AS tf FROM \(s).terms JOIN qterms USING (termid) GROUP BY ALL),
            scores AS (
                SELECT tf.docid, sum(log(((st.num_docs - q.df + 0.5) / (q.df + 0.5)) + 1)
                                     * (tf.tf * (1.2 + 1) / (tf.tf + 1.2 * (1 - 0.75 + 0.75 * (docs.len / st.avgdl))))) AS score
                FROM tf JOIN qterms q USING (termid) JOIN \(s).docs docs USING (docid), \(s).stats st
                GROUP BY tf.docid
            )
            SELECT d.kind, d.ref, epoch_us(d.time), d.run_id, d.trace_id, d.title, d.body, sc.score
            FROM scores sc JOIN \(s).docs docs USING (docid) JOIN search_documents d ON d.doc_id = docs.name
            WHERE ($2 IS NULL OR d.run_id = $2
                   OR (d.kind = 'span' AND d.trace_id IN (SELECT trace_id FROM spans WHERE run_id = $2)))
              AND ($3 IS NULL OR d.time >= $3) AND ($4 IS NULL OR d.time < $4)
              AND ($5 IS NULL OR list_contains(string_split($5, ','), d.kind))
            ORDER BY sc.score DESC, d.time DESC, d.doc_id DESC LIMIT $6
            """)
        try statement.bind([
            .text(text), filters.runID.map(Value.text) ?? .null,
            filters.since.map(Value.timestamp) ?? .null, filters.until.map(Value.timestamp) ?? .null,
            filters.kinds.map { .text($0.map(\.rawValue).joined(separator: ",")) } ?? .null, .int(Int64(limit)),
        ])
        let matches = try statement.query().rows.map { row in
            Match(kind: Kind(rawValue: row[0].string ?? "") ?? .span, ref: row[1].string ?? "", time: row[2].int64 ?? 0,
                  runID: row[3].string, traceID: row[4].string, title: row[5].string, body: row[6].string ?? "",
                  score: { if case .double(let d) = row[7] { d } else { 0 } }())
        }
        let newest = try connection.query("SELECT epoch_us(max(watermark)) FROM search_state").rows[0][0].int64
        return SearchResult(matches: matches, indexedThrough: newest)
    }
}
