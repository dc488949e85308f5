import { terraformJson } from "../../core/terraform-json";

/**
 * One metric of a graph: `[namespace, name, dimension, value, …]` in CloudWatch's dashboard body
 * syntax, with its rendering options
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html#CloudWatch-Dashboard-Properties-Metrics-Array-Format).
 */
export interface DashboardMetric {
  readonly namespace: string;
  readonly name: string;
  /** Dimension name → value (a value may be a Terraform reference). @default {} */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** Statistic. @default - the widget's */
  readonly stat?: "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount" | "p50" | "p95" | "p99";
  /** Legend. @default - CloudWatch's */
  readonly label?: string;
}

/** A graph of metrics over time. */
export interface MetricWidget {
  readonly kind: "metric";
  readonly title: string;
  readonly metrics: readonly DashboardMetric[];
  /** Statistic of metrics that name none. @default "Sum" */
  readonly stat?: DashboardMetric["stat"];
  /** Period in seconds. @default 60 */
  readonly periodSeconds?: number;
  /** Stack the series. @default false */
  readonly stacked?: boolean;
  /** Width in grid units (1–24). @default 12 */
  readonly width?: number;
}

/** Markdown text (what a panel means, what to do). */
export interface TextWidget {
  readonly kind: "text";
  readonly markdown: string;
  /** Width in grid units (1–24). @default 24 */
  readonly width?: number;
}

/** The state of alarms. */
export interface AlarmStatusWidget {
  readonly kind: "alarm";
  readonly title: string;
  /** The alarms' ARNs (Terraform references allowed). */
  readonly alarmArns: readonly string[];
  /** Width in grid units (1–24). @default 24 */
  readonly width?: number;
}

/** A widget of a {@link DashboardBody}. */
export type DashboardWidget = MetricWidget | TextWidget | AlarmStatusWidget;

const HEIGHT: Record<DashboardWidget["kind"], number> = { metric: 6, text: 2, alarm: 2 };

/**
 * A CloudWatch dashboard body built from typed widgets, laid out left to right in rows of 24 grid
 * units (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
 * `render()` gives the JSON for `aws_cloudwatch_dashboard.dashboard_body`; Terraform references
 * (an Auto Scaling group's name) are encoded by Terraform itself.
 */
export class DashboardBody {
  private readonly widgets: DashboardWidget[] = [];

  /** @param region the region of the metrics (a Terraform reference such as `data.aws_region.x.name` is fine) */
  public constructor(private readonly region: string) {}

  /** Adds widgets after the ones there. */
  public add(...widgets: readonly DashboardWidget[]): this {
    this.widgets.push(...widgets);
    return this;
  }

  /** The widgets, in order. */
  public get all(): readonly DashboardWidget[] {
    return [...this.widgets];
  }

  /** The body as CloudWatch's JSON (a Terraform expression when a value is a reference). */
  public render(): string {
    return terraformJson({ widgets: this.layout() });
  }

  /** The widgets with their positions, as the body lists them. */
  public layout(): object[] {
    const out: object[] = [];
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    for (const w of this.widgets) {
      const width = Math.min(24, Math.max(1, w.width ?? (w.kind === "metric" ? 12 : 24)));
      if (x + width > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const height = HEIGHT[w.kind];
      out.push({ type: w.kind, x, y, width, height, properties: this.properties(w) });
      x += width;
      rowHeight = Math.max(rowHeight, height);
    }
    return out;
  }

  private properties(w: DashboardWidget): object {
    switch (w.kind) {
      case "text":
        return { markdown: w.markdown };
      case "alarm":
        return { title: w.title, alarms: [...w.alarmArns] };
      case "metric":
        return {
          title: w.title,
          region: this.region,
          view: "timeSeries",
          stacked: w.stacked ?? false,
          stat: w.stat ?? "Sum",
          period: w.periodSeconds ?? 60,
          metrics: w.metrics.map((m) => {
            const options: Record<string, string> = {};
            if (m.stat) options.stat = m.stat;
            if (m.label) options.label = m.label;
            const row: unknown[] = [m.namespace, m.name, ...Object.entries(m.dimensions ?? {}).flat()];
            return Object.keys(options).length > 0 ? [...row, options] : row;
          }),
        };
    }
  }
}
