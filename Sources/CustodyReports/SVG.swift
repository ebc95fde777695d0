import Foundation

/// Charts drawn as SVG text (no script): a line chart, horizontal bars, a heat map and step
/// curves. Each is an `img` with a title and a description for screen readers; every label is
/// escaped.
public enum SVG {
    /// Okabe and Ito's palette: told apart with every common colour-vision deficiency.
    public static let palette = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
    ]

    public struct Series: Sendable {
        public var name: String
        public var values: [Double]

        public init(_ name: String, _ values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of ten).
    static func niceMaximum(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 2.5, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    static func open(width: Int, height: Int, title: String, description: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" "
            + "height=\"\(height)\" role=\"img\"><title>\(HTML.escape(title))</title>"
            + "<desc>\(HTML.escape(description))</desc>"
    }

    static func label(_ x: Double, _ y: Double, _ text: String, anchor: String = "start", size: Int = 11) -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" "
            + "fill=\"#1b1f24\">\(HTML.escape(text))</text>"
    }

    /// A swatch of each line's colour and its name, in a row from (x, y).
    static func legend(_ names: [String], x start: Double, y: Double) -> String {
        var svg = ""
        var x = start
        for (index, name) in names.enumerated() {
            svg += "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"10\" height=\"10\" "
            svg += "fill=\"\(palette[index % palette.count])\"/>"
            svg += label(x + 14, y + 9, name, size: 10)
            x += 24 + Double(name.count) * 6.5
        }
        return svg
    }

    /// One line of a chart, in the palette's `index`th colour.
    static func polyline(_ points: [String], index: Int) -> String {
        "<polyline fill=\"none\" stroke=\"\(palette[index % palette.count])\" stroke-width=\"2\" "
            + "points=\"\(points.joined(separator: " "))\"/>"
    }

    /// Series over the same days, with the first and last day named under the axis.
    public static func lineChart(
        _ series: [Series], first: String, last: String, title: String, width: Int = 640, height: Int = 220
    ) -> String {
        let left = 48.0
        let right = Double(width) - 12
        let top = 12.0
        let bottom = Double(height) - 40
        let maximum = niceMaximum(series.flatMap(\.values).max() ?? 0)
        let count = series.map(\.values.count).max() ?? 0
        var svg = open(
            width: width, height: height, title: title,
            description: series.map {
                "\($0.name): from \(number($0.values.first ?? 0)) to \(number($0.values.last ?? 0))"
            }
            .joined(separator: "; "))
        for tick in 0...4 {
            let value = maximum * Double(tick) / 4
            let y = bottom - (bottom - top) * Double(tick) / 4
            svg += "<line x1=\"\(number(left))\" y1=\"\(number(y))\" x2=\"\(number(right))\" y2=\"\(number(y))\" "
            svg += "stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            let text = value == value.rounded() ? String(Int(value)) : number(value)
            svg += label(left - 6, y + 4, text, anchor: "end", size: 10)
        }
        for (index, line) in series.enumerated() where !line.values.isEmpty {
            let step = count > 1 ? (right - left) / Double(count - 1) : 0
            let points = line.values.enumerated().map { day, value in
                "\(number(left + Double(day) * step)),\(number(bottom - (bottom - top) * value / maximum))"
            }
            svg += polyline(points, index: index)
        }
        svg += label(left, bottom + 16, first, size: 10) + label(right, bottom + 16, last, anchor: "end", size: 10)
        return svg + legend(series.map(\.name), x: left, y: bottom + 24) + "</svg>"
    }

    /// Horizontal bars, one per label, each with its value written beside it.
    public static func barChart(
        _ bars: [(label: String, value: Double)], title: String, format: (Double) -> String = { String(Int($0)) },
        maximum: Double? = nil, width: Int = 640
    ) -> String {
        let rowHeight = 20.0
        let height = Int(Double(bars.count) * rowHeight) + 16
        let labelWidth = 170.0
        let right = Double(width) - 60
        let top = maximum ?? niceMaximum(bars.map(\.value).max() ?? 0)
        var svg = open(
            width: width, height: height, title: title,
            description: bars.map { "\($0.label): \(format($0.value))" }.joined(separator: "; "))
        for (index, bar) in bars.enumerated() {
            let y = 8 + Double(index) * rowHeight
            let length = top > 0 ? (right - labelWidth) * min(1, bar.value / top) : 0
            svg += label(labelWidth - 6, y + 13, String(bar.label.prefix(28)), anchor: "end")
            svg += "<rect x=\"\(number(labelWidth))\" y=\"\(number(y + 2))\" width=\"\(number(max(length, 0)))\" "
            svg += "height=\"\(number(rowHeight - 6))\" fill=\"\(palette[0])\"/>"
            svg += label(labelWidth + length + 4, y + 13, format(bar.value))
        }
        return svg + "</svg>"
    }

    /// Rows x columns of counts, each cell shaded by its count (darker: more) and written in it.
    public static func heatMap(rows: [String], columns: [String], values: [[Int]], title: String) -> String {
        let labelWidth = 170.0
        let cellWidth = 84.0
        let cellHeight = 22.0
        let width = Int(labelWidth + cellWidth * Double(columns.count)) + 8
        let height = Int(cellHeight * Double(rows.count + 1)) + 8
        let maximum = max(1, values.flatMap { $0 }.max() ?? 1)
        var svg = open(
            width: width, height: height, title: title,
            description: zip(rows, values).map { row, counts in
                row + ": " + zip(columns, counts).map { "\($0) \($1)" }.joined(separator: ", ")
            }.joined(separator: "; "))
        for (index, column) in columns.enumerated() {
            svg += label(labelWidth + cellWidth * (Double(index) + 0.5), 15, column, anchor: "middle")
        }
        for (rowIndex, row) in rows.enumerated() {
            let y = cellHeight * Double(rowIndex + 1)
            svg += label(labelWidth - 6, y + 15, String(row.prefix(28)), anchor: "end")
            for (columnIndex, count) in (rowIndex < values.count ? values[rowIndex] : []).enumerated() {
                // From white to the palette's vermilion, by the square root (small counts stay visible).
                let share = count == 0 ? 0 : 0.15 + 0.85 * (Double(count) / Double(maximum)).squareRoot()
                let red = Int(255 - (255 - 0xD5) * share)
                let green = Int(255 - (255 - 0x5E) * share)
                let blue = Int(255 - 255 * share)
                let x = labelWidth + cellWidth * Double(columnIndex)
                svg += "<rect x=\"\(number(x + 1))\" y=\"\(number(y + 1))\" width=\"\(number(cellWidth - 2))\" "
                svg += "height=\"\(number(cellHeight - 2))\" fill=\"rgb(\(red),\(green),\(blue))\"/>"
                svg += "<text x=\"\(number(x + cellWidth / 2))\" y=\"\(number(y + 15))\" font-size=\"11\" "
                svg += "text-anchor=\"middle\" fill=\"\(share > 0.6 ? "#ffffff" : "#1b1f24")\">\(count)</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Survival curves (share still open after t days), a step function each, to `days`.
    public static func stepCurves(
        _ curves: [(name: String, steps: [(days: Double, survival: Double)])], days: Double, title: String,
        width: Int = 640, height: Int = 240
    ) -> String {
        let left = 48.0
        let right = Double(width) - 12
        let top = 12.0
        let bottom = Double(height) - 40
        let span = max(days, 1)
        func x(_ day: Double) -> Double { left + (right - left) * min(day, span) / span }
        func y(_ survival: Double) -> Double { bottom - (bottom - top) * survival }
        var svg = open(
            width: width, height: height, title: title,
            description: curves.map { curve in
                "\(curve.name): \(Int(((curve.steps.last?.survival ?? 1) * 100).rounded()))% still open after "
                    + "\(Int(curve.steps.last?.days ?? 0)) days"
            }.joined(separator: "; "))
        for tick in 0...4 {
            let share = Double(tick) / 4
            svg += "<line x1=\"\(number(left))\" y1=\"\(number(y(share)))\" x2=\"\(number(right))\" "
            svg += "y2=\"\(number(y(share)))\" stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            svg += label(left - 6, y(share) + 4, "\(tick * 25)%", anchor: "end", size: 10)
        }
        for (index, curve) in curves.enumerated() {
            var points = ["\(number(x(0))),\(number(y(1)))"]
            var level = 1.0
            for step in curve.steps where step.days > 0 {
                points.append("\(number(x(step.days))),\(number(y(level)))")
                level = step.survival
                points.append("\(number(x(step.days))),\(number(y(level)))")
            }
            points.append("\(number(x(span))),\(number(y(level)))")
            svg += polyline(points, index: index)
        }
        svg += label(left, bottom + 16, "0 days", size: 10)
        svg += label(right, bottom + 16, "\(Int(span)) days", anchor: "end", size: 10)
        return svg + legend(curves.map(\.name), x: left, y: bottom + 24) + "</svg>"
    }
}
