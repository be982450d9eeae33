import Testing
@testable import Trainer

@Test func trainerModuleLinks() { #expect(Bool(true)) }
