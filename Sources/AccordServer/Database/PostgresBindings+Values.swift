import PostgresNIO

extension PostgresBindings {
    /// Bindings for `values`, in order: a prepared statement's parameters in one line.
    init(_ values: any PostgresDynamicTypeEncodable...) {
        self.init(capacity: values.count)
        for value in values { append(value) }
    }
}
