/// The collection names a reader of sync messages has met, so that a page or a snapshot of thousands of records
/// shares one string per collection instead of allocating one per record.
public struct CollectionNames: Sendable {
    private var known: [String] = []

    public init() {}

    mutating func name(spelledBy bytes: UnsafeRawBufferPointer) -> String {
        if let name = known.first(where: { $0.utf8.elementsEqual(bytes) }) { return name }
        let name = String(decoding: bytes, as: UTF8.self)
        // A message names a handful of collections; a hostile one naming thousands must not grow this for ever.
        if known.count < 64 { known.append(name) }
        return name
    }
}
